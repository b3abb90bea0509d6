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
        var (format, cameras) = Validate(o);
        bool vehicle = o.Kind == SyntheticKind.Vehicle;
        int height = o.ImageHeight > 0 ? o.ImageHeight : 128;
        int width = o.ImageWidth > 0 ? o.ImageWidth : vehicle ? 128 : 64;
        // Vehicle crops (VeRi-776) come in many sizes; a camera's resolution and distance make its crops differ.
        var styles = new CameraStyle[cameras + 1];
        for (int c = 1; c <= cameras; c++) styles[c] = CameraStyle.Create(o.Seed, c, width, height, varySize: vehicle);

        // One random stream decides the identities' order, cameras and counts (train first, then test) and, after them, where
        // Market's distractors and junk stand; the order of those draws is part of the output.
        var rng = new SynthRandom(o.Seed, 0x504C_414E);
        var (train, test) = DrawIdentities(o, cameras, ref rng);
        var layout = new Layout(o, format, styles);
        var plan = new SyntheticLayoutPlan
        {
            Format = format, Kind = o.Kind, Png = format == "ltcc", Jobs = [], Cameras = styles,
            TrainIdentities = train.Count, TestIdentities = test.Count,
        };
        switch (format)
        {
            case "market1501": PlanMarket1501(layout, plan, train, test, ref rng, cameras); break;
            case "veri776": PlanVeri776(layout, plan, train, test); break;
            case "msmt17": PlanMsmt17(layout, plan, train, test); break;
            case "ltcc": PlanLtcc(layout, plan, train, test); break;
            case "prcc": PlanPrcc(o, train, test, plan.Jobs, layout.Job); break;
            case "vehicleid": PlanVehicleId(plan, train, test, layout.Job); break;
            case "veriwild": PlanVeriWild(o, plan, train, test, layout.Job); break;
            case "csv": PlanCsv(plan, train, test, layout.Job); break;
            default: throw new ArgumentException($"Format '{format}' has no layout planner (a generator bug: it is listed in SyntheticDatasetOptions.Formats)", nameof(o));
        }
        if (plan.Jobs.Select(j => j.RelativePath).Distinct(StringComparer.Ordinal).Count() != plan.Jobs.Count)
            throw new InvalidOperationException($"synthetic {format} plan produced duplicate file names (a generator bug)");
        return plan;
    }

    /// <summary>Checks every option against the layout's limits; returns the normalised format name and the number of cameras.</summary>
    private static (string Format, int Cameras) Validate(SyntheticDatasetOptions o)
    {
        string format = (o.Format ?? "").Trim().ToLowerInvariant();
        if (!SyntheticDatasetOptions.Formats.Contains(format))
            throw new ArgumentException($"Format '{o.Format}' is not a synthetic layout; accepted values: {string.Join(", ", SyntheticDatasetOptions.Formats)}", nameof(o.Format));
        if (!Enum.IsDefined(o.Kind))
            throw new ArgumentException($"Kind '{o.Kind}' is unknown; accepted values: person, vehicle", nameof(o.Kind));
        int maxIds = format == "ltcc" ? 999 : 9999;
        if (o.Identities < 2 || o.Identities > maxIds)
            throw new ArgumentException($"Identities must be between 2 and {maxIds} for {format} (half train, half test), got {o.Identities}", nameof(o.Identities));
        if (format == "prcc" && o.Cameras is not (0 or 3))
            throw new ArgumentException($"Cameras must be 0 or 3 for prcc (its cameras are A, B and C), got {o.Cameras}", nameof(o.Cameras));
        int cameras = o.Cameras > 0 ? o.Cameras : format switch
        {
            "prcc" => 3,
            "ltcc" => 12,
            "msmt17" => 15,
            _ => o.Kind == SyntheticKind.Vehicle ? 8 : 6,
        };
        int maxCameras = format switch { "market1501" => 9, "veri776" => 999, _ => 99 };
        if (o.Cameras < 0 || cameras < 2 || cameras > maxCameras)
            throw new ArgumentException($"Cameras must be between 2 and {maxCameras} for {format} (0 = default), got {o.Cameras}", nameof(o.Cameras));
        if (o.ImagesPerIdentityPerCamera.Min < 1 || o.ImagesPerIdentityPerCamera.Max < o.ImagesPerIdentityPerCamera.Min || o.ImagesPerIdentityPerCamera.Max > 60)
            throw new ArgumentException($"images per identity per camera must satisfy 1 <= min <= max <= 60, got min {o.ImagesPerIdentityPerCamera.Min}, max {o.ImagesPerIdentityPerCamera.Max}",
                nameof(o.ImagesPerIdentityPerCamera));
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
        return (format, cameras);
    }

    /// <summary>Shuffles identities 1..N, takes the first half (rounded up) for training, and gives each identity its cameras and image counts.
    /// <paramref name="rng"/> is a struct passed by reference: the draws that follow (Market's distractors) continue its stream.</summary>
    private static (List<Identity> Train, List<Identity> Test) DrawIdentities(SyntheticDatasetOptions o, int cameras, ref SynthRandom rng)
    {
        int n = o.Identities;
        int[] order = Enumerable.Range(1, n).ToArray();
        for (int i = n - 1; i > 0; i--) { int j = rng.Next(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        int trainCount = (n + 1) / 2;
        var train = new List<Identity>(trainCount);
        foreach (int s in order[..trainCount].Order()) train.Add(NewIdentity(s, false, ref rng));
        var test = new List<Identity>(n - trainCount);
        foreach (int s in order[trainCount..].Order()) test.Add(NewIdentity(s, true, ref rng));
        return (train, test);

        Identity NewIdentity(long subject, bool isTest, ref SynthRandom rng)
        {
            int[] cams = Enumerable.Range(1, cameras).ToArray();
            int k = rng.Between(2, cameras);
            for (int i = 0; i < k; i++) { int j = i + rng.Next(cameras - i); (cams[i], cams[j]) = (cams[j], cams[i]); }
            int[] chosen = cams[..k].Order().ToArray();
            // Test identities need at least two images per camera: one query and at least one gallery image from each of
            // their cameras, so every query has its identity in the gallery from another camera.
            var counts = new int[chosen.Length];
            for (int c = 0; c < counts.Length; c++)
                counts[c] = Math.Max(isTest ? 2 : 1, rng.Between(o.ImagesPerIdentityPerCamera.Min, o.ImagesPerIdentityPerCamera.Max));
            return new Identity(subject, chosen, counts);
        }
    }

    /// <summary>What every layout derives from the options per image: the outfit, the frame number and the job itself.</summary>
    private sealed class Layout(SyntheticDatasetOptions options, string format, CameraStyle[] styles)
    {
        public SyntheticDatasetOptions Options => options;

        /// <summary>The outfit of an image; PRCC: cameras A and B see the same clothes, camera C other clothes.</summary>
        public int Outfit(long subject, int cam, int index) => format == "prcc" ? (cam == 3 ? 1 : 0)
            : options.ClothesChanges == 1 ? 0 : new SynthRandom(options.Seed, subject, cam, index, 0x434C_4F54).Next(options.ClothesChanges);

        public int Frame(long subject, int cam, int index) => (index + 1) * 150 + new SynthRandom(options.Seed, subject, cam, index, 0x4652_4D45).Next(100);

        public SyntheticImageJob Job(string path, DatasetSplit split, int fileId, long subject, int cam, int index, bool junk = false, bool counted = true) =>
            new(path, split, fileId, subject, cam, index, Outfit(subject, cam, index), junk, styles[cam].Width, styles[cam].Height, counted);
    }

    /// <summary>Market-1501: bounding_box_train, query (the first image of each test identity in each camera) and bounding_box_test with
    /// names <c>0002_c1s1_000451_03.jpg</c>, plus distractors (identity 0000) and junk (identity -1) in the gallery.</summary>
    private static void PlanMarket1501(Layout layout, SyntheticLayoutPlan plan, List<Identity> train, List<Identity> test, ref SynthRandom rng, int cameras)
    {
        var o = layout.Options;
        var jobs = plan.Jobs;
        string Name(string dir, int id, long subject, int cam, int index) =>
            Invariant($"{dir}/{(id < 0 ? "-1" : id.ToString("D4"))}_c{cam}s1_{layout.Frame(subject, cam, index):D6}_{1 + index % 9:D2}.jpg");
        foreach (var id in train) ForEach(id, (cam, i) => jobs.Add(layout.Job(Name("bounding_box_train", (int)id.Subject, id.Subject, cam, i), DatasetSplit.Train, (int)id.Subject, id.Subject, cam, i)));
        foreach (var id in test) ForEach(id, (cam, i) => jobs.Add(i == 0
            ? layout.Job(Name("query", (int)id.Subject, id.Subject, cam, i), DatasetSplit.Query, (int)id.Subject, id.Subject, cam, i)
            : layout.Job(Name("bounding_box_test", (int)id.Subject, id.Subject, cam, i), DatasetSplit.Gallery, (int)id.Subject, id.Subject, cam, i)));
        int gallery = jobs.Count(j => j.Split == DatasetSplit.Gallery);
        int distractors = o.Distractors >= 0 ? o.Distractors : Math.Max(1, (int)Math.Round(0.05 * gallery));
        int junk = o.Distractors >= 0 ? (o.Distractors + 1) / 2 : Math.Max(1, (int)Math.Round(0.03 * gallery));
        // Distractors (id 0000) are people outside the identity set; junk (id -1) are bad detections (mostly background).
        for (int k = 0; k < distractors; k++)
        {
            int cam = 1 + rng.Next(cameras);
            jobs.Add(layout.Job(Name("bounding_box_test", 0, DistractorSubjects + k, cam, k), DatasetSplit.Gallery, 0, DistractorSubjects + k, cam, k));
        }
        for (int k = 0; k < junk; k++)
        {
            int cam = 1 + rng.Next(cameras);
            jobs.Add(layout.Job(Name("bounding_box_test", -1, JunkSubjects + k, cam, k), DatasetSplit.Gallery, -1, JunkSubjects + k, cam, k, junk: true));
        }
        plan.DistractorImages = distractors;
    }

    /// <summary>VeRi-776: image_train, image_query and image_test with names <c>0002_c002_00030600_0.jpg</c> and the name_*.txt lists.</summary>
    private static void PlanVeri776(Layout layout, SyntheticLayoutPlan plan, List<Identity> train, List<Identity> test)
    {
        var jobs = plan.Jobs;
        string Name(string dir, long subject, int cam, int index) =>
            Invariant($"{dir}/{subject:D4}_c{cam:D3}_{layout.Frame(subject, cam, index) * 100:D8}_0.jpg");
        foreach (var id in train) ForEach(id, (cam, i) => jobs.Add(layout.Job(Name("image_train", id.Subject, cam, i), DatasetSplit.Train, (int)id.Subject, id.Subject, cam, i)));
        foreach (var id in test) ForEach(id, (cam, i) => jobs.Add(i == 0
            ? layout.Job(Name("image_query", id.Subject, cam, i), DatasetSplit.Query, (int)id.Subject, id.Subject, cam, i)
            : layout.Job(Name("image_test", id.Subject, cam, i), DatasetSplit.Gallery, (int)id.Subject, id.Subject, cam, i)));
        AddNameList(plan, "name_train.txt", DatasetSplit.Train);
        AddNameList(plan, "name_query.txt", DatasetSplit.Query);
        AddNameList(plan, "name_test.txt", DatasetSplit.Gallery);
    }

    /// <summary>MSMT17: train/ and test/ folders of per-identity folders (identities numbered from 0 in each), with the list_train, list_val,
    /// list_query and list_gallery files.</summary>
    private static void PlanMsmt17(Layout layout, SyntheticLayoutPlan plan, List<Identity> train, List<Identity> test)
    {
        var o = layout.Options;
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
                    string rel = Invariant($"{l:D4}/{l:D4}_{running:D3}_{cam:D2}_{dates[r.Next(dates.Length)]}{times[r.Next(times.Length)]}_{layout.Frame(id.Subject, cam, i) % 10000:D4}_0.jpg");
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
                    plan.Jobs.Add(layout.Job($"{dir}/{rel}", split, l, id.Subject, cam, i));
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
    }

    /// <summary>LTCC: train, query and test folders of PNG images named <c>&lt;pid&gt;_&lt;clothes&gt;_c&lt;cam&gt;_&lt;frame&gt;.png</c>.</summary>
    private static void PlanLtcc(Layout layout, SyntheticLayoutPlan plan, List<Identity> train, List<Identity> test)
    {
        var jobs = plan.Jobs;
        string Name(string dir, long subject, int cam, int index) =>
            Invariant($"{dir}/{subject:D3}_{layout.Outfit(subject, cam, index) + 1}_c{cam}_{layout.Frame(subject, cam, index):D6}.png");
        foreach (var id in train) ForEach(id, (cam, i) => jobs.Add(layout.Job(Name("train", id.Subject, cam, i), DatasetSplit.Train, (int)id.Subject, id.Subject, cam, i)));
        foreach (var id in test) ForEach(id, (cam, i) => jobs.Add(i == 0
            ? layout.Job(Name("query", id.Subject, cam, i), DatasetSplit.Query, (int)id.Subject, id.Subject, cam, i)
            : layout.Job(Name("test", id.Subject, cam, i), DatasetSplit.Gallery, (int)id.Subject, id.Subject, cam, i)));
    }

    private delegate SyntheticImageJob JobFactory(string path, DatasetSplit split, int fileId, long subject, int cam, int index, bool junk = false, bool counted = true);

    /// <summary>PRCC: rgb/train/&lt;pid&gt;/ and rgb/val/&lt;pid&gt;/ (about 10% of the training images) with names
    /// <c>&lt;A|B|C&gt;_cropped_rgb&lt;n&gt;.jpg</c>; rgb/test/A|B|C/&lt;pid&gt;/ where A is the gallery, B same-clothes and C changed-clothes queries.
    /// Every identity is seen by all three cameras. Validation images and B queries are written but, as in the readers' default
    /// protocol (train folder only; C queries), not counted in the report.</summary>
    private static void PlanPrcc(SyntheticDatasetOptions o, List<Identity> train, List<Identity> test, List<SyntheticImageJob> jobs, JobFactory job)
    {
        static string Letter(int cam) => ((char)('A' + cam - 1)).ToString();
        foreach (var id in train)
        {
            int running = 0;
            ForEachAllCameras(id, o, (cam, i) =>
            {
                bool val = running > 0 && new SynthRandom(o.Seed, id.Subject, cam, i, 0x5641_4C00).Chance(0.1);
                jobs.Add(job(Invariant($"rgb/{(val ? "val" : "train")}/{id.Subject:D3}/{Letter(cam)}_cropped_rgb{++running:D3}.jpg"),
                    DatasetSplit.Train, (int)id.Subject, id.Subject, cam, i, counted: !val));
            });
        }
        foreach (var id in test)
            ForEachAllCameras(id, o, (cam, i) => jobs.Add(job(Invariant($"rgb/test/{Letter(cam)}/{id.Subject:D3}/{Letter(cam)}_cropped_rgb{i + 1:D3}.jpg"),
                cam == 1 ? DatasetSplit.Gallery : DatasetSplit.Query, (int)id.Subject, id.Subject, cam, i, counted: cam != 2)));
    }

    private static void ForEachAllCameras(Identity id, SyntheticDatasetOptions o, Action<int, int> image)
    {
        var rng = new SynthRandom(o.Seed, id.Subject, 0x5052_4343);
        for (int cam = 1; cam <= 3; cam++)
        {
            int n = Math.Max(2, rng.Between(o.ImagesPerIdentityPerCamera.Min, o.ImagesPerIdentityPerCamera.Max));
            for (int i = 0; i < n; i++) image(cam, i);
        }
    }

    /// <summary>The first <paramref name="size"/> test identities, or all of them when fewer exist: the number in VehicleID's and
    /// VeRi-Wild's test list names is an identity count, so a small synthetic set has all its test identities in every list.</summary>
    private static HashSet<long> FirstTestIdentities(List<Identity> test, int size) => test.Take(size).Select(t => t.Subject).ToHashSet();

    /// <summary>VehicleID: image/&lt;7-digit image id&gt;.jpg; train_test_split/train_list.txt and test_list_800|1600|2400.txt with lines
    /// <c>imageid vehicleid</c>. No cameras in the layout (the camera styles still vary the pictures). The readers pick one gallery
    /// image per identity at random; the report counts one gallery image per identity and the rest as queries.</summary>
    private static void PlanVehicleId(SyntheticLayoutPlan plan, List<Identity> train, List<Identity> test, JobFactory job)
    {
        int imageId = 0;
        var trainLines = new List<string>();
        var testLines = new List<(long Subject, string Line)>();
        plan.NoCameras = true;
        foreach (var id in train)
            ForEach(id, (cam, i) =>
            {
                string name = Invariant($"{++imageId:D7}");
                trainLines.Add(Invariant($"{name} {id.Subject}"));
                plan.Jobs.Add(job($"image/{name}.jpg", DatasetSplit.Train, (int)id.Subject, id.Subject, cam, i));
            });
        foreach (var id in test)
        {
            bool first = true;
            ForEach(id, (cam, i) =>
            {
                string name = Invariant($"{++imageId:D7}");
                testLines.Add((id.Subject, Invariant($"{name} {id.Subject}")));
                plan.Jobs.Add(job($"image/{name}.jpg", first ? DatasetSplit.Gallery : DatasetSplit.Query, (int)id.Subject, id.Subject, cam, i));
                first = false;
            });
        }
        plan.ListFiles.Add(("train_test_split/train_list.txt", trainLines));
        foreach (int size in new[] { 800, 1600, 2400 })
        {
            var ids = FirstTestIdentities(test, size);
            plan.ListFiles.Add((Invariant($"train_test_split/test_list_{size}.txt"), testLines.Where(l => ids.Contains(l.Subject)).Select(l => l.Line).ToList()));
        }
    }

    /// <summary>VeRi-Wild: images/&lt;5-digit vid&gt;/&lt;6-digit image id&gt;.jpg; train_test_split/train_list.txt, test_3000|5000|10000.txt
    /// (gallery) and test_*_query.txt (one query per identity) with lines <c>vid/imageid</c>; vehicle_info.txt
    /// (<c>vid/imageid;camera;time;model;type;color</c> after a header line) holds the cameras.</summary>
    private static void PlanVeriWild(SyntheticDatasetOptions o, SyntheticLayoutPlan plan, List<Identity> train, List<Identity> test, JobFactory job)
    {
        int imageId = 0;
        var trainLines = new List<string>();
        var query = new List<(long Subject, string Line)>();
        var gallery = new List<(long Subject, string Line)>();
        var info = new List<string> { "id/image;Camera ID;Time;Model;Type;Color" };
        string[] types = ["sedan", "suv", "van", "truck", "bus"];
        void Add(Identity id, bool isTest)
        {
            var look = VehicleAppearance.Create(o.Seed, id.Subject);
            bool first = true;
            ForEach(id, (cam, i) =>
            {
                string key = Invariant($"{id.Subject:D5}/{++imageId:D6}");
                info.Add(Invariant($"{key};{cam};2018-03-{1 + i % 28:D2} {8 + cam % 10:D2}:{i % 60:D2}:00;model{look.Type}{look.Body.Red % 7};{types[look.Type]};{look.Body}"));
                var split = !isTest ? DatasetSplit.Train : first ? DatasetSplit.Query : DatasetSplit.Gallery;
                (split == DatasetSplit.Train ? null : split == DatasetSplit.Query ? query : gallery)?.Add((id.Subject, key));
                if (split == DatasetSplit.Train) trainLines.Add(key);
                plan.Jobs.Add(job($"images/{key}.jpg", split, (int)id.Subject, id.Subject, cam, i));
                first = false;
            });
        }
        foreach (var id in train) Add(id, false);
        foreach (var id in test) Add(id, true);
        plan.ListFiles.Add(("train_test_split/train_list.txt", trainLines));
        plan.ListFiles.Add(("train_test_split/vehicle_info.txt", info));
        foreach (int size in new[] { 3000, 5000, 10000 })
        {
            var ids = FirstTestIdentities(test, size);
            plan.ListFiles.Add((Invariant($"train_test_split/test_{size}.txt"), gallery.Where(l => ids.Contains(l.Subject)).Select(l => l.Line).ToList()));
            plan.ListFiles.Add((Invariant($"train_test_split/test_{size}_query.txt"), query.Where(l => ids.Contains(l.Subject)).Select(l => l.Line).ToList()));
        }
    }

    /// <summary>The csv layout: images under images/train|query|gallery/, listed in train.csv, query.csv and gallery.csv
    /// (<c>path,identity,camera,clothes</c>, paths relative to the root).</summary>
    private static void PlanCsv(SyntheticLayoutPlan plan, List<Identity> train, List<Identity> test, JobFactory job)
    {
        var lines = new Dictionary<DatasetSplit, List<string>>
        {
            [DatasetSplit.Train] = ["path,identity,camera,clothes"], [DatasetSplit.Query] = ["path,identity,camera,clothes"],
            [DatasetSplit.Gallery] = ["path,identity,camera,clothes"],
        };
        void Add(Identity id, bool isTest) => ForEach(id, (cam, i) =>
        {
            var split = !isTest ? DatasetSplit.Train : i == 0 ? DatasetSplit.Query : DatasetSplit.Gallery;
            string folder = split.ToString().ToLowerInvariant();
            var j = job(Invariant($"images/{folder}/{id.Subject:D4}_c{cam:D2}_{i:D3}.jpg"), split, (int)id.Subject, id.Subject, cam, i);
            lines[split].Add(Invariant($"{j.RelativePath},{id.Subject},{cam},{j.Outfit + 1}"));
            plan.Jobs.Add(j);
        });
        foreach (var id in train) Add(id, false);
        foreach (var id in test) Add(id, true);
        plan.ListFiles.Add(("train.csv", lines[DatasetSplit.Train]));
        plan.ListFiles.Add(("query.csv", lines[DatasetSplit.Query]));
        plan.ListFiles.Add(("gallery.csv", lines[DatasetSplit.Gallery]));
    }

    private static void ForEach(Identity id, Action<int, int> image)
    {
        for (int c = 0; c < id.Cameras.Length; c++)
            for (int i = 0; i < id.Counts[c]; i++) image(id.Cameras[c], i);
    }

    private static void AddNameList(SyntheticLayoutPlan plan, string name, DatasetSplit split) =>
        plan.ListFiles.Add((name, plan.Jobs.Where(j => j.Split == split).Select(j => Path.GetFileName(j.RelativePath)).Order(StringComparer.Ordinal).ToList()));
}
