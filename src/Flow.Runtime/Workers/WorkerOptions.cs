using Flow.Workflows;
using Microsoft.Extensions.Logging;

namespace Flow;

/// <summary>What every worker shares: where it polls, how much it takes on, how it backs off and stops.</summary>
public abstract record WorkerOptions
{
    /// <summary>The SWF domain to poll.</summary>
    public string Domain { get; init; } = "";

    /// <summary>The task list to poll; default: the default task list the definitions share.</summary>
    public string? TaskList { get; init; }

    /// <summary>Recorded in the history's *TaskStarted events; default <c>host:pid</c>.</summary>
    public string Identity { get; init; } = DefaultIdentity;

    /// <summary>Concurrent long polls on the task list.</summary>
    public int Pollers { get; init; } = 2;

    /// <summary>Tasks processed at once; a poller only polls while a slot is free.</summary>
    public int MaxConcurrentTasks { get; init; } = 100;

    /// <summary>How long <c>StopAsync</c> lets in-flight tasks finish before cancelling them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First and largest delay of the jittered backoff after a failed poll or response.</summary>
    public TimeSpan RetryInitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts at a response (complete, fail, cancel) before the task is left to SWF's timeouts.</summary>
    public int MaxRespondAttempts { get; init; } = 8;

    /// <summary>Register the types (and the domain, with <see cref="RegisterDomain"/>) when the worker starts.</summary>
    public bool RegisterTypes { get; init; } = true;
    public bool RegisterDomain { get; init; }

    /// <summary>Retention of closed executions when <see cref="RegisterDomain"/> registers the domain.</summary>
    public int DomainRetentionDays { get; init; } = 7;

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Clock for throttling and backoff; tests replace it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary><c>host:pid</c>, cut to SWF's 256 characters.</summary>
    public static string DefaultIdentity { get; } = Truncate($"{Environment.MachineName}:{Environment.ProcessId}", 256);

    internal static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    internal virtual void Validate()
    {
        if (string.IsNullOrEmpty(Domain))
            throw new ArgumentException("Worker options need a Domain.");
        if (Pollers < 1)
            throw new ArgumentException($"Pollers is {Pollers}; at least 1 is needed.");
        if (MaxConcurrentTasks < 1)
            throw new ArgumentException($"MaxConcurrentTasks is {MaxConcurrentTasks}; at least 1 is needed.");
        if (string.IsNullOrEmpty(Identity) || Identity.Length > 256)
            throw new ArgumentException("Identity must be 1 to 256 characters.");
    }
}

/// <summary>Options of an <see cref="ActivityWorker"/>.</summary>
public sealed record ActivityWorkerOptions : WorkerOptions
{
    /// <summary>Minimum time between two heartbeats sent to SWF (80 % of the registered heartbeat timeout when that is
    /// shorter). Keep it below the shortest heartbeat timeout a workflow gives a call (ActivityOptions.HeartbeatTimeout):
    /// the activity task does not carry that timeout, so the worker cannot see it, and a heartbeat held back longer
    /// than it lets SWF time the task out although the activity heartbeats in time.</summary>
    public TimeSpan HeartbeatThrottleInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>After <see cref="WorkerOptions.ShutdownTimeout"/> cancels the activities, how long they get to
    /// notice before the worker reports them failed itself.</summary>
    public TimeSpan ShutdownCancelGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Set by hosting: every task runs in its own service scope (see <see cref="ActivityExecutionContext.Services"/>).</summary>
    public IServiceProvider? Services { get; init; }
}

/// <summary>Options of a <see cref="WorkflowWorker"/>.</summary>
public sealed record WorkflowWorkerOptions : WorkerOptions
{
    public WorkflowWorkerOptions() => MaxConcurrentTasks = 10;

    /// <summary>Live executors kept between decision tasks (LRU by run id); 0 turns the decision cache off.</summary>
    public int DecisionCacheSize { get; init; } = 1000;

    /// <summary>Route a run's next decision tasks to this worker's own task list, where its executor is cached.
    /// SWF moves them back to the shared list when nobody starts them within <see cref="StickyScheduleToStartTimeout"/>.</summary>
    public bool StickyTaskList { get; init; }

    public TimeSpan StickyScheduleToStartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>History events per page (SWF allows 1 to 1,000).</summary>
    public int MaximumPageSize { get; init; } = 1000;

    public ReplayOptions? ReplayOptions { get; init; }

    internal override void Validate()
    {
        base.Validate();
        if (DecisionCacheSize < 0)
            throw new ArgumentException("DecisionCacheSize cannot be negative.");
        if (MaximumPageSize is < 1 or > 1000)
            throw new ArgumentException($"MaximumPageSize is {MaximumPageSize}; SWF allows 1 to 1000.");
        if (StickyTaskList && StickyScheduleToStartTimeout < TimeSpan.FromSeconds(1))
            throw new ArgumentException("StickyScheduleToStartTimeout must be at least one second.");
    }
}
