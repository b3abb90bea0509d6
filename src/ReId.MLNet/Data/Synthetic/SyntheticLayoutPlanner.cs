using static ReId.MLNet.Data.Synthetic.SyntheticDatasetGenerator;

namespace ReId.MLNet.Data.Synthetic;

/// <summary>Validates options and decides identities, splits, cameras, file names and list files of a synthetic dataset,
/// following each real dataset's naming conventions so that the dataset readers read the output unchanged.</summary>
internal static class SyntheticLayoutPlanner
{
    private const long DistractorSubjects = 1_000_000, JunkSubjects = 2_000_000;

    private sealed record Identity(long Subject, int[] Cameras, int[] Counts);

    public static SyntheticLayoutPlan Plan(SyntheticDatasetOptions o)
    {
        string format = (o.Format ?? "").Trim().ToLowerInvariant();
        if (!SyntheticDatasetOptions.Formats.Contains(format))
            throw new ArgumentException($"Format '{o.Format}' is not a synthetic layout; accepted values: {string.Join(", ", SyntheticDatasetOptions.Formats)}", nameof(o.Format));
        if (!Enum.IsDefined(o.Kind))
            throw new ArgumentException($"Kind '{o.Kind}' is unknown; accepted values: person, vehicle", nameof(o.Kind));
        int maxIds = format == "ltcc" ? 999 : 9999;
        if (o.Identities < 2 || o.Identities > maxIds)
            throw new ArgumentException($"Identities must be between 2 and {maxIds} for {format} (half train, half test), got {o.Identities}", nameof(o.Identities));
        int cameras = o.Cameras > 0 ? o.Cameras : format switch
        {
            "ltcc" => 12,
            "msmt17" => 15,
            _ => o.Kind == SyntheticKind.Vehicle ? 8 : 6,
        };
        int maxCameras = format switch { "market1501" => 9, "veri776" => 999, _ => 99 };
        if (o.Cameras < 0 || cameras < 2 || cameras > maxCameras)
            throw new ArgumentException($"Cameras must be between 2 and {maxCameras} for {format} (0 = default), got {o.Cameras}", nameof(o.Cameras));
        if (o.MinImagesPerIdentityPerCamera < 1 || o.MaxImagesPerIdentityPerCamera < o.MinImagesPerIdentityPerCamera || o.MaxImagesPerIdentityPerCamera > 60)
            throw new ArgumentException($"images per identity per camera must satisfy 1 <= min <= max <= 60, got min {o.MinImagesPerIdentityPerCamera}, max {o.MaxImagesPerIdentityPerCamera}",
                nameof(o.MinImagesPerIdentityPerCamera));
        if (o.ClothesChanges < 1 || o.ClothesChanges > 20)
            throw new ArgumentException($"ClothesChanges must be between 1 and 20, got {o.ClothesChanges}", nameof(o.ClothesChanges));
        if (o.JpegQuality < 1 || o.JpegQuality > 100)
            throw new ArgumentException($"JpegQuality must be between 1 and 100, got {o.JpegQuality}", nameof(o.JpegQuality));
        if (o.ImageHeight != 0 && (o.ImageHeight < 16 || o.ImageHeight > 1024))
            throw new ArgumentException($"ImageHeight must be 0 (default) or between 16 and 1024, got {o.ImageHeight}", nameof(o.ImageHeight));
        if (o.ImageWidth != 0 && (o.ImageWidth < 16 || o.ImageWidth > 1024))
            throw new ArgumentException($"ImageWidth must be 0 (default) or between 16 and 1024, got {o.ImageWidth}", nameof(o.ImageWidth));
        if (o.Distractors < -1)
            throw new ArgumentException($"Distractors must be -1 (default), 0 or more, got {o.Distractors}", nameof(o.Distractors));

        bool vehicle = o.Kind == SyntheticKind.Vehicle;
        int height = o.ImageHeight > 0 ? o.ImageHeight : 128;
        int width = o.ImageWidth > 0 ? o.ImageWidth : vehicle ? 128 : 64;
        // Vehicle crops (VeRi-776) come in many sizes; a camera's resolution and distance make its crops differ.
        var styles = new CameraStyle[cameras + 1];
        for (int c = 1; c <= cameras; c++) styles[c] = CameraStyle.Create(o.Seed, c, width, height, varySize: vehicle);

        var rng = new SynthRandom(o.Seed, 0x504C_414E);
        int n = o.Identities;
        int[] order = Enumerable.Range(1, n).ToArray();
        for (int i = n - 1; i > 0; i--) { int j = rng.Next(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        int trainCount = (n + 1) / 2;
        var train = order[..trainCount].Order().Select(s => NewIdentity(s, false)).ToList();
        var test = order[trainCount..].Order().Select(s => NewIdentity(s, true)).ToList();

        Identity NewIdentity(long subject, bool isTest)
        {
            int[] cams = Enumerable.Range(1, cameras).ToArray();
            int k = rng.Between(2, cameras);
            for (int i = 0; i < k; i++) { int j = i + rng.Next(cameras - i); (cams[i], cams[j]) = (cams[j], cams[i]); }
            int[] chosen = cams[..k].Order().ToArray();
            // Test identities need at least two images per camera: one query and at least one gallery image from each of
            // their cameras, so every query has its identity in the gallery from another camera.
            int[] counts = chosen.Select(_ => Math.Max(isTest ? 2 : 1, rng.Between(o.MinImagesPerIdentityPerCamera, o.MaxImagesPerIdentityPerCamera))).ToArray();
            return new Identity(subject, chosen, counts);
        }

        var jobs = new List<SyntheticImageJob>();
        var plan = new SyntheticLayoutPlan
        {
            Format = format, Kind = o.Kind, Png = format == "ltcc", Jobs = jobs, Cameras = styles,
            TrainIdentities = train.Count, TestIdentities = test.Count,
        };
        int outfits = o.ClothesChanges;
        int Outfit(long subject, int cam, int index) => outfits == 1 ? 0 : new SynthRandom(o.Seed, subject, cam, index, 0x434C_4F54).Next(outfits);
        int Frame(long subject, int cam, int index) => (index + 1) * 150 + new SynthRandom(o.Seed, subject, cam, index, 0x4652_4D45).Next(100);
        SyntheticImageJob Job(string path, DatasetSplit split, int fileId, long subject, int cam, int index, bool junk = false) =>
            new(path, split, fileId, subject, cam, index, Outfit(subject, cam, index), junk, styles[cam].Width, styles[cam].Height);

        switch (format)
        {
            case "market1501":
            {
                string Name(string dir, int id, long subject, int cam, int index) =>
                    Invariant($"{dir}/{(id < 0 ? "-1" : id.ToString("D4"))}_c{cam}s1_{Frame(subject, cam, index):D6}_{1 + index % 9:D2}.jpg");
                foreach (var id in train) ForEach(id, (cam, i) => jobs.Add(Job(Name("bounding_box_train", (int)id.Subject, id.Subject, cam, i), DatasetSplit.Train, (int)id.Subject, id.Subject, cam, i)));
                foreach (var id in test) ForEach(id, (cam, i) => jobs.Add(i == 0
                    ? Job(Name("query", (int)id.Subject, id.Subject, cam, i), DatasetSplit.Query, (int)id.Subject, id.Subject, cam, i)
                    : Job(Name("bounding_box_test", (int)id.Subject, id.Subject, cam, i), DatasetSplit.Gallery, (int)id.Subject, id.Subject, cam, i)));
                int gallery = jobs.Count(j => j.Split == DatasetSplit.Gallery);
                int distractors = o.Distractors >= 0 ? o.Distractors : Math.Max(1, (int)Math.Round(0.05 * gallery));
                int junk = o.Distractors >= 0 ? (o.Distractors + 1) / 2 : Math.Max(1, (int)Math.Round(0.03 * gallery));
                // Distractors (id 0000) are people outside the identity set; junk (id -1) are bad detections (mostly background).
                for (int k = 0; k < distractors; k++)
                {
                    int cam = 1 + rng.Next(cameras);
                    jobs.Add(Job(Name("bounding_box_test", 0, DistractorSubjects + k, cam, k), DatasetSplit.Gallery, 0, DistractorSubjects + k, cam, k));
                }
                for (int k = 0; k < junk; k++)
                {
                    int cam = 1 + rng.Next(cameras);
                    jobs.Add(Job(Name("bounding_box_test", -1, JunkSubjects + k, cam, k), DatasetSplit.Gallery, -1, JunkSubjects + k, cam, k, junk: true));
                }
                plan.DistractorImages = distractors;
                break;
            }
            case "veri776":
            {
                string Name(string dir, long subject, int cam, int index) =>
                    Invariant($"{dir}/{subject:D4}_c{cam:D3}_{Frame(subject, cam, index) * 100:D8}_0.jpg");
                foreach (var id in train) ForEach(id, (cam, i) => jobs.Add(Job(Name("image_train", id.Subject, cam, i), DatasetSplit.Train, (int)id.Subject, id.Subject, cam, i)));
                foreach (var id in test) ForEach(id, (cam, i) => jobs.Add(i == 0
                    ? Job(Name("image_query", id.Subject, cam, i), DatasetSplit.Query, (int)id.Subject, id.Subject, cam, i)
                    : Job(Name("image_test", id.Subject, cam, i), DatasetSplit.Gallery, (int)id.Subject, id.Subject, cam, i)));
                AddNameList(plan, "name_train.txt", DatasetSplit.Train);
                AddNameList(plan, "name_query.txt", DatasetSplit.Query);
                AddNameList(plan, "name_test.txt", DatasetSplit.Gallery);
                break;
            }
            case "msmt17":
            {
                string[] dates = ["0113", "0114", "0302", "0303"];
                string[] times = ["morning", "noon", "afternoon"];
                var trainLines = new List<string>();
                var valLines = new List<string>();
                var queryLines = new List<string>();
                var galleryLines = new List<string>();
                // MSMT17 numbers train and test identities separately from 0, each in its own folder of train/ or test/.
                void Add(List<Identity> ids, string dir, bool isTest)
                {
                    for (int label = 0; label < ids.Count; label++)
                    {
                        var id = ids[label];
                        int running = 0;
                        int l = label;
                        ForEach(id, (cam, i) =>
                        {
                            var r = new SynthRandom(o.Seed, id.Subject, cam, 0x4441_5445);
                            string rel = Invariant($"{l:D4}/{l:D4}_{running:D3}_{cam:D2}_{dates[r.Next(dates.Length)]}{times[r.Next(times.Length)]}_{Frame(id.Subject, cam, i) % 10000:D4}_0.jpg");
                            string line = Invariant($"{rel} {l}");
                            DatasetSplit split;
                            if (!isTest)
                            {
                                split = DatasetSplit.Train;
                                // MSMT17's validation list holds some training images (about 7%); the first image of each identity stays in list_train.
                                bool val = running > 0 && new SynthRandom(o.Seed, id.Subject, cam, i, 0x5641_4C00).Chance(0.07);
                                (val ? valLines : trainLines).Add(line);
                            }
                            else
                            {
                                split = i == 0 ? DatasetSplit.Query : DatasetSplit.Gallery;
                                (i == 0 ? queryLines : galleryLines).Add(line);
                            }
                            jobs.Add(Job($"{dir}/{rel}", split, l, id.Subject, cam, i));
                            running++;
                        });
                    }
                }
                Add(train, "train", false);
                Add(test, "test", true);
                plan.ListFiles.Add(("list_train.txt", trainLines));
                plan.ListFiles.Add(("list_val.txt", valLines));
                plan.ListFiles.Add(("list_query.txt", queryLines));
                plan.ListFiles.Add(("list_gallery.txt", galleryLines));
                break;
            }
            default:
            {
                string Name(string dir, long subject, int cam, int index) =>
                    Invariant($"{dir}/{subject:D3}_{Outfit(subject, cam, index) + 1}_c{cam}_{Frame(subject, cam, index):D6}.png");
                foreach (var id in train) ForEach(id, (cam, i) => jobs.Add(Job(Name("train", id.Subject, cam, i), DatasetSplit.Train, (int)id.Subject, id.Subject, cam, i)));
                foreach (var id in test) ForEach(id, (cam, i) => jobs.Add(i == 0
                    ? Job(Name("query", id.Subject, cam, i), DatasetSplit.Query, (int)id.Subject, id.Subject, cam, i)
                    : Job(Name("test", id.Subject, cam, i), DatasetSplit.Gallery, (int)id.Subject, id.Subject, cam, i)));
                break;
            }
        }
        if (jobs.Select(j => j.RelativePath).Distinct(StringComparer.Ordinal).Count() != jobs.Count)
            throw new InvalidOperationException($"synthetic {format} plan produced duplicate file names (a generator bug)");
        return plan;
    }

    private static void ForEach(Identity id, Action<int, int> image)
    {
        for (int c = 0; c < id.Cameras.Length; c++)
            for (int i = 0; i < id.Counts[c]; i++) image(id.Cameras[c], i);
    }

    private static void AddNameList(SyntheticLayoutPlan plan, string name, DatasetSplit split) =>
        plan.ListFiles.Add((name, plan.Jobs.Where(j => j.Split == split).Select(j => Path.GetFileName(j.RelativePath)).Order(StringComparer.Ordinal).ToList()));
}
