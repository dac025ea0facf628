namespace Flow.Hosting;

/// <summary>Flow's settings, usually bound from the "Flow" configuration section.</summary>
public sealed class FlowOptions
{
    /// <summary>The configuration section <c>AddFlow(configuration)</c> binds.</summary>
    public const string Section = "Flow";

    public string Domain { get; set; } = "";

    /// <summary>Recorded in the history as the worker's identity; default <c>host:pid</c>.</summary>
    public string? Identity { get; set; }

    public bool RegisterTypes { get; set; } = true;
    public bool RegisterDomain { get; set; }
    public int DomainRetentionDays { get; set; } = 7;

    public ActivityWorkerSettings Activities { get; set; } = new();
    public WorkflowWorkerSettings Workflows { get; set; } = new();

    /// <summary>Where <c>UseSwf()</c> connects: Amazon SWF in a region, or an SWF-compatible endpoint.</summary>
    public SwfSettings Swf { get; set; } = new();
}

/// <summary>The wire client's settings; unset values keep <see cref="Flow.Swf.SwfClientOptions"/>'s defaults (the AWS SDK's
/// region chain, the regional endpoint, the default credentials chain).</summary>
public sealed class SwfSettings
{
    /// <summary>e.g. <c>us-east-1</c>.</summary>
    public string? Region { get; set; }

    /// <summary>An explicit endpoint, e.g. <c>http://127.0.0.1:8600</c> for <c>flow dev</c>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Attempts per call, the first included.</summary>
    public int? MaxAttempts { get; set; }
}

/// <summary>Settings every worker shares; unset values keep the worker's defaults.</summary>
public class WorkerSettings
{
    /// <summary>Off: no worker of this kind runs in this host even when handlers are registered.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>One task list for all handlers of this kind. When unset, the host runs one worker per default task
    /// list of the registered definitions.</summary>
    public string? TaskList { get; set; }

    public int? Pollers { get; set; }
    public int? MaxConcurrentTasks { get; set; }
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>Pollers and tasks in flight for particular task lists, by name; they override the values above.</summary>
    public Dictionary<string, TaskListSettings> TaskLists { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>How hard the worker of one task list works.</summary>
public sealed class TaskListSettings
{
    public int? Pollers { get; set; }
    public int? MaxConcurrentTasks { get; set; }
}

public sealed class ActivityWorkerSettings : WorkerSettings
{
    public TimeSpan? HeartbeatThrottleInterval { get; set; }
}

public sealed class WorkflowWorkerSettings : WorkerSettings
{
    public int? DecisionCacheSize { get; set; }
    public bool? StickyTaskList { get; set; }
    public TimeSpan? StickyScheduleToStartTimeout { get; set; }
}
