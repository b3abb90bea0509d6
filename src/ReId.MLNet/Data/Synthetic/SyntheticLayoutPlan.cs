namespace ReId.MLNet.Data.Synthetic;

/// <summary>Everything the generator will write, decided up front (sequentially, from the seed) before rendering in parallel.</summary>
internal sealed class SyntheticLayoutPlan
{
    public required string Format { get; init; }
    public required SyntheticKind Kind { get; init; }
    public required bool Png { get; init; }
    public required List<SyntheticImageJob> Jobs { get; init; }

    /// <summary>Camera styles indexed by camera number (1-based; index 0 unused).</summary>
    public required CameraStyle[] Cameras { get; init; }

    public List<(string Name, List<string> Lines)> ListFiles { get; } = [];
    public List<string> EmptyFolders { get; } = [];
    public required int TrainIdentities { get; init; }
    public required int TestIdentities { get; init; }
    public int DistractorImages { get; set; }

    /// <summary>The layout records no cameras (VehicleID); the report then gives 0 cameras.</summary>
    public bool NoCameras { get; set; }

    public SyntheticDatasetReport Report(string output, TimeSpan elapsed)
    {
        SyntheticSplitCounts Count(DatasetSplit split)
        {
            var jobs = Jobs.Where(j => j.Split == split && !j.Junk && j.Counted).ToList();
            return new SyntheticSplitCounts(jobs.Count, jobs.Select(j => j.FileIdentity).Distinct().Count(), NoCameras ? 0 : jobs.Select(j => j.Camera).Distinct().Count());
        }
        return new SyntheticDatasetReport(Format, Kind, output, Count(DatasetSplit.Train), Count(DatasetSplit.Query), Count(DatasetSplit.Gallery),
            TrainIdentities, TestIdentities, DistractorImages, Jobs.Count(j => j.Junk), Jobs.Count, elapsed);
    }
}
