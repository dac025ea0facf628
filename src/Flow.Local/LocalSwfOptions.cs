namespace Flow.Local;

/// <summary>How a <see cref="LocalSwf"/> engine keeps its state and tells time.</summary>
public sealed class LocalSwfOptions
{
    /// <summary>A SQLite file that holds every domain, type, execution and event; null keeps everything in memory.</summary>
    public string? DatabasePath { get; init; }

    /// <summary>How long an empty poll waits for a task before answering with an empty task; SWF holds 60 s.</summary>
    public TimeSpan LongPollHold { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many polls one task list (of one domain, decision or activity) holds at once; the next is refused
    /// with LimitExceededFault. SWF's quota is 1,000.</summary>
    public int MaxPollersPerTaskList { get; init; } = 1_000;

    /// <summary>The clock for timestamps, timers and timeouts; tests pass a fake one and move it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The account id put into domain ARNs.</summary>
    public string AccountId { get; init; } = "000000000000";

    /// <summary>How long a commit waits for a lock another program holds on the SQLite file before the call
    /// fails (and is not done); null for the default, 5 s.</summary>
    internal TimeSpan? StoreBusyTimeout { get; init; }

    /// <summary>When the SQLite store's commits reach the disk: at checkpoints (<see cref="SqliteSynchronous.Normal"/>, the
    /// default: what was answered survives the process dying, not an operating system crash or power loss), or at
    /// every commit (<see cref="SqliteSynchronous.Full"/>: it survives those too).</summary>
    public SqliteSynchronous Synchronous { get; init; } = SqliteSynchronous.Normal;

    /// <summary>The region put into domain ARNs.</summary>
    public string Region { get; init; } = "us-east-1";
}

/// <summary>SQLite's <c>synchronous</c> setting for the store, in WAL mode. Either way a commit is in the write-ahead
/// log before its call answers, so everything answered survives the process dying (a crash, <c>kill -9</c>).</summary>
public enum SqliteSynchronous
{
    /// <summary>The log is flushed to the disk at checkpoints, not at each commit: the last commits before an operating
    /// system crash or power loss may be lost (the file stays consistent). Faster.</summary>
    Normal,

    /// <summary>The log is flushed to the disk (fsync) at every commit: what was answered survives an operating system
    /// crash or power loss too, as far as the disk keeps what it reports written.</summary>
    Full,
}
