namespace ReId.Training.Losses;

/// <summary>Weights and settings of the combined ReID objective; a weight of 0 switches its term off.</summary>
public sealed class ReIdLossOptions
{
    public double CrossEntropyWeight { get; set; } = 1;
    public double LabelSmoothing { get; set; } = 0.1;
    public double TripletWeight { get; set; } = 1;
    public double TripletMargin { get; set; } = 0.3;
    public bool SoftMarginTriplet { get; set; }
    public DistanceMetric TripletMetric { get; set; } = DistanceMetric.Euclidean;
    public double CenterWeight { get; set; }
    public double SupConWeight { get; set; }
    public double SupConTemperature { get; set; } = 0.07;
}
