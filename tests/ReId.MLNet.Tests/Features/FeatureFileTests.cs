using System.Text;
using ReId.MLNet.Features;

namespace ReId.MLNet.Tests.Features;

public class FeatureFileTests
{
    [Fact]
    public void NpyBytesFollowTheNumpyFormat()
    {
        string dir = Directory.CreateTempSubdirectory("reid-npy").FullName;
        try
        {
            string path = Path.Combine(dir, "f.npy");
            NpyFile.Write(path, [1f, 2f, 3f, -0.5f, 0f, 8f], 2, 3);
            byte[] b = File.ReadAllBytes(path);
            Assert.Equal(0x93, b[0]);
            Assert.Equal("NUMPY", Encoding.ASCII.GetString(b, 1, 5));
            Assert.Equal(1, b[6]);
            int headerLength = b[8] | b[9] << 8;
            Assert.Equal(0, (10 + headerLength) % 64);
            string header = Encoding.ASCII.GetString(b, 10, headerLength);
            Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header);
            Assert.EndsWith("\n", header);
            Assert.Equal(10 + headerLength + 24, b.Length);
            Assert.Equal(-0.5f, BitConverter.ToSingle(b, 10 + headerLength + 12));
            var (data, rows, dim) = NpyFile.Read(path);
            Assert.Equal((2, 3), (rows, dim));
            Assert.Equal([1f, 2f, 3f, -0.5f, 0f, 8f], data);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FeatureFileRoundTripsWithClothes()
    {
        string dir = Directory.CreateTempSubdirectory("reid-npy").FullName;
        try
        {
            string path = Path.Combine(dir, "q.npy");
            var set = new FeatureSet([1, 0, 0, 1], 2, 2, ["/a/1.jpg", "/a/2.jpg"], [3, 4], [1, 2], [7, 8]);
            FeatureFile.Write(path, set);
            Assert.Equal("path,identity,camera,clothes\n/a/1.jpg,3,1,7\n/a/2.jpg,4,2,8\n", File.ReadAllText(Path.Combine(dir, "q.csv")));
            var back = FeatureFile.Read(path);
            Assert.Equal(set.Features, back.Features);
            Assert.Equal(set.Paths, back.Paths);
            Assert.Equal(set.Clothes, back.Clothes);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void BadFilesAreNamed()
    {
        string dir = Directory.CreateTempSubdirectory("reid-npy").FullName;
        try
        {
            string path = Path.Combine(dir, "g.npy");
            NpyFile.Write(path, [1, 2, 3, 4], 2, 2);
            var e = Assert.Throws<FileNotFoundException>(() => FeatureFile.Read(path));
            Assert.Contains("g.csv", e.Message);
            File.WriteAllText(Path.Combine(dir, "g.csv"), "path,identity,camera\n/x.jpg,1,1\n");
            var m = Assert.Throws<InvalidDataException>(() => FeatureFile.Read(path));
            Assert.Contains("has 1 rows but", m.Message);
            byte[] truncated = File.ReadAllBytes(path)[..^4];
            File.WriteAllBytes(path, truncated);
            m = Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
            Assert.Contains("should hold 4 float32 values", m.Message);
            File.WriteAllText(path, "hello");
            m = Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));
            Assert.Contains("is not a .npy file", m.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
