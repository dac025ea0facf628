// Most of a test's time is spent waiting on child processes (flow dev, python3, aws), so fixtures run side by side.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
