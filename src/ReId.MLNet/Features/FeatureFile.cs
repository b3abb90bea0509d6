using System.Globalization;
using System.Text;
using ReId.MLNet.IO;

namespace ReId.MLNet.Features;

/// <summary>A feature file: <c>F.npy</c> (float32 [N, D]) plus the sidecar <c>F.csv</c> with <c>path,identity,camera[,clothes]</c> in the same order.</summary>
public static class FeatureFile
{
    /// <summary>The sidecar path of a .npy file.</summary>
    public static string SidecarPath(string npyPath) => Path.ChangeExtension(npyPath, ".csv");

    /// <summary>Writes both files (each atomically); the sidecar has a clothes column only when clothes are given.</summary>
    public static void Write(string npyPath, FeatureSet set)
    {
        if (set.Paths.Length != set.Rows || set.Identities.Length != set.Rows || set.Cameras.Length != set.Rows || (set.Clothes is { } c && c.Length != set.Rows))
            throw new ArgumentException($"feature set has {set.Rows} rows but {set.Paths.Length} paths, {set.Identities.Length} identities and {set.Cameras.Length} cameras");
        NpyFile.Write(npyPath, set.Features, set.Rows, set.Dim);
        var csv = new StringBuilder(set.Clothes is null ? "path,identity,camera\n" : "path,identity,camera,clothes\n");
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < set.Rows; i++)
        {
            if (set.Paths[i].Contains(',') || set.Paths[i].Contains('\n'))
                throw new ArgumentException($"image path '{set.Paths[i]}' contains a comma or newline, which the sidecar CSV cannot hold");
            csv.Append(set.Paths[i]).Append(',').Append(set.Identities[i].ToString(inv)).Append(',').Append(set.Cameras[i].ToString(inv));
            if (set.Clothes is { } clothes) csv.Append(',').Append(clothes[i].ToString(inv));
            csv.Append('\n');
        }
        AtomicFile.WriteAllText(SidecarPath(npyPath), csv.ToString());
    }

    /// <summary>Reads a .npy and its sidecar; a missing sidecar or a row-count mismatch is an error naming the file.</summary>
    public static FeatureSet Read(string npyPath)
    {
        var (data, rows, dim) = NpyFile.Read(npyPath);
        string csvPath = SidecarPath(npyPath);
        if (!File.Exists(csvPath))
            throw new FileNotFoundException($"sidecar '{csvPath}' of feature file '{npyPath}' does not exist (expected path,identity,camera[,clothes] rows)", csvPath);
        var lines = File.ReadAllLines(csvPath).Where(l => l.Length > 0).ToList();
        string header = lines.Count > 0 ? lines[0].Trim() : "";
        bool hasClothes = header == "path,identity,camera,clothes";
        if (!hasClothes && header != "path,identity,camera")
            throw new InvalidDataException($"'{csvPath}' starts with '{header}'; expected the header 'path,identity,camera' or 'path,identity,camera,clothes'");
        if (lines.Count - 1 != rows)
            throw new InvalidDataException($"'{csvPath}' has {lines.Count - 1} rows but '{npyPath}' has {rows}; they must list the same images in the same order");
        var paths = new string[rows];
        var ids = new int[rows];
        var cams = new int[rows];
        int[]? clothes = hasClothes ? new int[rows] : null;
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < rows; i++)
        {
            string[] f = lines[i + 1].Split(',');
            if (f.Length != (hasClothes ? 4 : 3) || !int.TryParse(f[1], NumberStyles.Integer, inv, out ids[i]) || !int.TryParse(f[2], NumberStyles.Integer, inv, out cams[i])
                || (clothes is not null && !int.TryParse(f[3], NumberStyles.Integer, inv, out clothes[i])))
                throw new InvalidDataException($"line {i + 2} of '{csvPath}' is '{lines[i + 1]}'; expected {header} with integer ids");
            paths[i] = f[0];
        }
        return new FeatureSet(data, rows, dim, paths, ids, cams, clothes);
    }
}
