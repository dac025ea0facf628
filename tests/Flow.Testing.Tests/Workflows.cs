using Flow;
using Flow.Swf;
using NUnit.Framework;

namespace Flow.Testing.Tests;

public sealed class SleeperWorkflow : ISleeper
{
    private string? _why;

    public async Task<string> RunAsync(int days)
    {
        var start = Workflow.UtcNow;
        // A timer (t1) that a Wake signal cancels (CancelTimer) when it comes first.
        var woken = await Workflow.WaitConditionAsync(() => _why is not null, TimeSpan.FromDays(days));
        var hours = (Workflow.UtcNow - start).TotalHours;
        return woken ? $"woken by {_why} after {hours:0}h" : $"slept {hours / 24:0} days";
    }

    public Task WakeAsync(string why)
    {
        _why = why;
        return Task.CompletedTask;
    }
}

public sealed class ScenarioWorkflow : IScenario
{
    public async Task<string> RunAsync(string scenario)
    {
        var start = Workflow.UtcNow;
        var activities = new TestActivitiesClient();
        try
        {
            switch (scenario)
            {
                case "retry":
                {
                    var retried = activities.WithOptions(new ActivityOptions
                    {
                        RetryPolicy = new RetryPolicy { MaximumAttempts = 4, InitialInterval = TimeSpan.FromMinutes(10), BackoffCoefficient = 2 },
                    });
                    var echoed = await retried.EchoAsync("again");
                    return $"{echoed} after {(Workflow.UtcNow - start).TotalMinutes:0} min";
                }
                case "start-to-close":
                    await activities.WithOptions(new ActivityOptions { StartToCloseTimeout = TimeSpan.FromMinutes(1), HeartbeatTimeout = Timeout.InfiniteTimeSpan }).SlowAsync("x");
                    return "finished";
                case "heartbeat":
                    await activities.SlowAsync("x");
                    return "finished";
                case "schedule-to-close":
                    await activities.WithOptions(new ActivityOptions { ScheduleToCloseTimeout = TimeSpan.FromMinutes(2), HeartbeatTimeout = Timeout.InfiniteTimeSpan }).SlowAsync("x");
                    return "finished";
                case "schedule-to-start":
                    await new OrphanActivitiesClient().LostAsync("x");
                    return "finished";
                case "child":
                {
                    var child = new SleeperChildClient(new ChildWorkflowOptions { WorkflowId = "child-of-" + Workflow.Info.Execution.WorkflowId });
                    var slept = await child.RunAsync(2);
                    return $"child {slept}";
                }
                case "child-timeout":
                {
                    // A waiter nobody releases: its 10-minute execution timeout ends it.
                    var child = new WaiterChildClient(new ChildWorkflowOptions { WorkflowId = "waiter-of-" + Workflow.Info.Execution.WorkflowId });
                    try
                    {
                        return await child.RunAsync("forgotten");
                    }
                    catch (ChildWorkflowTimedOutException)
                    {
                        return $"child timed out after {(Workflow.UtcNow - start).TotalMinutes:0} min";
                    }
                }
                case "two-timers":
                    await Workflow.DelayAsync(TimeSpan.FromMinutes(5));
                    await Workflow.DelayAsync(TimeSpan.FromMinutes(10));
                    return $"both timers fired after {(Workflow.UtcNow - start).TotalMinutes:0} min";
                case "cancel":
                    await Workflow.DelayAsync(TimeSpan.FromDays(1), Workflow.CancellationToken);
                    return "not canceled";
                default:
                    throw new ArgumentException("Unknown scenario " + scenario);
            }
        }
        catch (ActivityTimedOutException e)
        {
            return $"timed out {e.TimeoutType} after {(Workflow.UtcNow - start).TotalSeconds:0} s";
        }
    }
}

public sealed class FollowUpWorkflow : IFollowUp
{
    private string? _by;

    public async Task<string> RunAsync(string customer)
    {
        var start = Workflow.UtcNow;
        var quick = new TestActivitiesClient().WithOptions(new ActivityOptions
        {
            StartToCloseTimeout = TimeSpan.FromMinutes(1), HeartbeatTimeout = Timeout.InfiniteTimeSpan,
        });
        var sent = await quick.EchoAsync("mail to " + customer);
        await Workflow.DelayAsync(TimeSpan.FromMinutes(5));
        await Workflow.WaitConditionAsync(() => _by is not null);
        return $"{sent}, confirmed by {_by} at +{(Workflow.UtcNow - start).TotalMinutes:0} min";
    }

    public Task ConfirmAsync(string by)
    {
        _by = by;
        return Task.CompletedTask;
    }
}

public sealed class CounterWorkflow : ICounter
{
    public async Task<int> RunAsync(int count)
    {
        if (count >= 3)
            return count;
        await Workflow.DelayAsync(TimeSpan.FromDays(1));
        throw new CounterSelfClient().ContinueAsNew(count + 1);
    }
}

public sealed class WaiterWorkflow : IWaiter
{
    private string? _value;

    public async Task<string> RunAsync(string name)
    {
        await Workflow.WaitConditionAsync(() => _value is not null);
        return $"{name}: {_value}";
    }

    public Task ReleaseAsync(string value)
    {
        _value = value;
        return Task.CompletedTask;
    }
}

/// <summary>Activities that do their work at once.</summary>
public sealed class QuickActivities : ITestActivities
{
    public Task<string> EchoAsync(string text) => Task.FromResult(text);

    public Task<string> SlowAsync(string text) => Task.FromResult(text);
}

/// <summary>Its first instance reports a state too large for SWF, so the worker cannot answer that decision task.</summary>
/// <summary>Its first instance blocks its decision (past a short deadlock detection timeout), so that decision task gets
/// no answer; later instances are fixed.</summary>
public sealed class StatefulWorkflow(bool broken) : IStateful
{
    public string State => "fine";

    public Task<string> RunAsync(string name)
    {
        if (broken)
        {
            // Long enough to be caught whatever the thread pool's state: the watchdog runs on a pool thread, and in a
            // fresh process the pool's few threads may all be busy until it adds one (500 ms of blocking was not).
#pragma warning disable FLOW052 // the point: code that blocks its decision
            Thread.Sleep(TimeSpan.FromSeconds(3));
#pragma warning restore FLOW052
        }
        return Task.FromResult($"{name} at {Workflow.UtcNow:HH:mm:ss}");
    }
}

/// <summary>Its first instance continues after ConfigureAwait(false) (it leaves the workflow's scheduler); later ones are fixed.</summary>
public sealed class ConfigureAwaitWorkflow(bool broken) : IStateful
{
    public string State => "fine";

    public async Task<string> RunAsync(string name)
    {
        await Workflow.DelayAsync(TimeSpan.FromMinutes(1)).ConfigureAwait(!broken);
        return $"{name} at {Workflow.UtcNow:HH:mm:ss}";
    }
}

public sealed class CountingWorkflow : ICounting
{
    public int Count { get; private set; }

    public async Task<int> RunAsync(int target)
    {
        await Workflow.WaitConditionAsync(() => Count >= target);
        return Count;
    }

    public Task AddAsync()
    {
        Count++;
        return Task.CompletedTask;
    }
}
