namespace Flow.Local;

/// <summary>How a <see cref="LocalSwf"/> engine keeps its state and tells time.</summary>
public sealed class LocalSwfOptions
{
    /// <summary>A SQLite file that holds every domain, type, execution and event; null keeps everything in memory.</summary>
    public string? DatabasePath { get; init; }

    /// <summary>How long an empty poll waits for a task before answering with an empty task; SWF holds 60 s.</summary>
    public TimeSpan LongPollHold { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The clock for timestamps, timers and timeouts; tests pass a fake one and move it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The account id put into domain ARNs.</summary>
    public string AccountId { get; init; } = "000000000000";

    /// <summary>How long a commit waits for a lock another program holds on the SQLite file before the call
    /// fails (and is not done); null for the default, 5 s.</summary>
    internal TimeSpan? StoreBusyTimeout { get; init; }

    /// <summary>The region put into domain ARNs.</summary>
    public string Region { get; init; } = "us-east-1";
}
