namespace ReId.Training.Optim;

/// <summary>Optimisation algorithm.</summary>
public enum OptimizerKind
{
    Adam,
    AdamW,
    /// <summary>SGD with (optionally Nesterov) momentum.</summary>
    Sgd,
}
