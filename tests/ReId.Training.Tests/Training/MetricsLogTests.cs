using ReId.Training.Engine;
using ReId.Training.Recipes;

namespace ReId.Training.Tests.Training;

public class MetricsLogTests
{
    [Fact]
    public void SavedRowsReloadAndAReplayedEpochReplacesTheOldRow()
    {
        string dir = Directory.CreateTempSubdirectory("reid-metrics").FullName;
        try
        {
            var log = new MetricsLog();
            log.Add(new EpochMetrics { Epoch = 1, Loss = 2.5, LearningRate = 1e-3 });
            log.Add(new EpochMetrics { Epoch = 2, Loss = 2.0, MAP = 0.25, Rank1 = 0.5 });
            log.Add(new EpochMetrics { Epoch = 2, Loss = 1.5, MAP = 0.3, Rank1 = 0.6 }); // the epoch ran again after a resume
            log.Save(dir);
            var back = MetricsLog.Load(dir);
            Assert.Equal(2, back.Rows.Count);
            Assert.Equal(1.5, back.Rows[1].Loss);
            Assert.True(double.IsNaN(back.Rows[0].MAP));
            string[] csv = File.ReadAllLines(Path.Combine(dir, "metrics.csv"));
            Assert.Equal(3, csv.Length);
            Assert.Equal("train,2,1.5,0,0,0,0,0,0,0.3,0.6,,", csv[2]);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ACorruptMetricsFileIsNamed()
    {
        string dir = Directory.CreateTempSubdirectory("reid-metrics").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "metrics.json"), "[{ broken");
            var e = Assert.Throws<InvalidDataException>(() => MetricsLog.Load(dir));
            Assert.Contains("metrics.json", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ReportHasTheFinalFiguresAndBothPictures()
    {
        string dir = Directory.CreateTempSubdirectory("reid-report").FullName;
        try
        {
            var log = new MetricsLog();
            log.Add(new EpochMetrics { Epoch = 1, Loss = 3 });
            log.Add(new EpochMetrics { Epoch = 2, Loss = 2, MAP = 0.4, Rank1 = 0.5 });
            RunReport.Write(dir, TrainingRecipes.Get("bot-small"), log, [0.5f, 0.7f, 0.8f, 0.9f, 0.95f], 0.4, 0.2, "synthetic market1501");
            string md = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("| 40.00 | 50.00 | 95.00 | n/a | 20.00 |", md);
            Assert.Contains("| backbone | resnet18 |", md);
            Assert.True(new FileInfo(Path.Combine(dir, "cmc.png")).Length > 1000);
            Assert.True(new FileInfo(Path.Combine(dir, "curves.png")).Length > 1000);
        }
        finally { Directory.Delete(dir, true); }
    }
}
