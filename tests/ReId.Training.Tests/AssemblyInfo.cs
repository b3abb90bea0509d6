// libtorch's default generator and thread pool are process-wide: tests that train and compare runs bit for bit
// (exact resume) must not have other tests drawing random numbers or reseeding while they run.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
