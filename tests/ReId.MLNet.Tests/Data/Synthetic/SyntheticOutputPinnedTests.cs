using System.Security.Cryptography;
using ReId.MLNet.Data.Synthetic;

namespace ReId.MLNet.Tests.Data.Synthetic;

/// <summary>
/// The generator's output pinned byte for byte: the hashes were recorded from the generator before its layout planner and person
/// painter were split into named methods (issue 15), so a refactoring that changes one pixel, name or split fails here. A deliberate
/// change to the synthetic data updates these hashes (and says so in its commit).
/// </summary>
public sealed class SyntheticOutputPinnedTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-synth-pinned-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string TreeHash(string dir)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(dir, file).Replace('\\', '/') + "\n"));
            sha.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    [Theory]
    [InlineData("market1501", SyntheticKind.Person, 1, "A7BB60B26E3D922B8929EAAB86537E69413B809C16BB5F89BE5F396461CFE14A")]
    [InlineData("market1501", SyntheticKind.Vehicle, 1, "51B33CA168B0E2F13381E756E50FFEE7CC0C33169141FEA5579006926FAA5108")]
    [InlineData("msmt17", SyntheticKind.Person, 1, "4CE5D9437B325FB6FFC682B9698F24284EF2FCC83B5677F98B1ADB3E5B3BF43D")]
    [InlineData("ltcc", SyntheticKind.Person, 2, "FD8542D1ACA807382154E61C4147B087209F163735954BC42A18B1258384B7D0")]
    [InlineData("prcc", SyntheticKind.Person, 2, "71E04D8FA7852C67028C2B76CA66D794C0B8B422CD4745814B82E609DDCEB1A6")]
    [InlineData("veri776", SyntheticKind.Vehicle, 1, "240E91AB79C5E94B9219C046A39E1BD67D23DE8785A5D605CB7F6EA7090C4ED2")]
    [InlineData("vehicleid", SyntheticKind.Vehicle, 1, "19BFC3305A87033AF12EE70ADDE8E17120973DB2C247233123481594CEA253C1")]
    [InlineData("veriwild", SyntheticKind.Vehicle, 1, "E928754A88ADBAB484F68EF4898A51828A8E1E8F9D850B42E10C305AE0387E12")]
    [InlineData("csv", SyntheticKind.Person, 2, "7BEF0EF0768D24DE4D40B5849D9FF2E815A483689BA8255B1E32C7DE00F2E745")]
    public void GeneratedDatasetIsByteIdenticalToTheRecordedOne(string format, SyntheticKind kind, int clothes, string expectedHash)
    {
        string dir = Path.Combine(_root, format);
        SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
        {
            Format = format, Kind = kind, Identities = 8, Seed = 11, ClothesChanges = clothes, ImagesPerIdentityPerCamera = (1, 3),
        }, dir);
        string actual = TreeHash(dir);
        Assert.True(expectedHash == actual, $"{format}/{kind}/{clothes}: {actual}");
    }

    [Fact]
    public void AnUnknownFormatIsRefusedNamingIt()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => SyntheticDatasetGenerator.Generate(
            new SyntheticDatasetOptions { Format = "duke-ish", Identities = 4 }, Path.Combine(_root, "unknown")));
        Assert.Contains("duke-ish", e.Message);
    }
}
