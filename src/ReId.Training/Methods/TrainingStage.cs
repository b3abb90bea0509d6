namespace ReId.Training.Methods;

/// <summary>
/// A phase that runs before the main training loop with its own loop and optimiser (CLIP-ReID's prompt learning).
/// The trainer runs the stages of a session in order, checkpoints after each, and skips those a resumed checkpoint lists as done.
/// </summary>
public abstract class TrainingStage
{
    /// <summary>Name recorded in checkpoints (unique within a method).</summary>
    public abstract string Name { get; }

    /// <summary>Runs the stage to completion.</summary>
    public abstract void Run(StageContext context);
}
