using Flow.Swf;

namespace Flow.Testing;

/// <summary>
/// A fake <see cref="ActivityExecutionContext"/> for unit tests of activity code: heartbeats are recorded, and
/// <see cref="Cancel"/> cancels the activity the way SWF's cancelRequested or a worker shutdown would.
/// </summary>
public sealed class ActivityTestContext : ActivityExecutionContext, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<string?> _heartbeats = [];
    private readonly object _gate = new();
    private TaskCompletionSource _heartbeat = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActivityTestContext(ActivityType? activityType = null)
    {
        ActivityType = activityType ?? new ActivityType { Name = "test-activity", Version = "1" };
    }

    public override string Domain => DomainName;
    public string DomainName { get; init; } = "flow-test";
    public override string TaskToken => Token;
    public string Token { get; init; } = "test-task-token";
    public override string ActivityId => Id;
    public string Id { get; init; } = "1";

    /// <summary>The attempt the activity sees; by default read from <see cref="Id"/> as a worker does ("1#3" is attempt 3).</summary>
    public override int Attempt => AttemptNumber ?? base.Attempt;
    public int? AttemptNumber { get; init; }
    public override ActivityType ActivityType { get; }
    public override WorkflowExecution WorkflowExecution => Execution;
    public WorkflowExecution Execution { get; init; } = new() { WorkflowId = "test-workflow", RunId = "test-run" };
    public override CancellationToken CancellationToken => _cancel.Token;
    public override IServiceProvider? Services => ServiceProvider;
    public IServiceProvider? ServiceProvider { get; init; }

    /// <summary>Cancel the activity after this many heartbeats (as if the last one answered cancelRequested).</summary>
    public int? CancelAfterHeartbeats { get; init; }

    /// <summary>The details of every heartbeat, in order.</summary>
    public IReadOnlyList<string?> Heartbeats
    {
        get { lock (_gate) return [.. _heartbeats]; }
    }

    public override Task HeartbeatAsync(string? details = null)
    {
        if (details is { Length: > 2048 })
            throw new ArgumentException($"Heartbeat details are {details.Length} characters long; SWF allows at most 2,048.", nameof(details));
        TaskCompletionSource signal;
        int count;
        lock (_gate)
        {
            _heartbeats.Add(details);
            count = _heartbeats.Count;
            signal = _heartbeat;
            _heartbeat = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        signal.TrySetResult();
        if (CancelAfterHeartbeats is { } n && count >= n)
            Cancel();
        return Task.CompletedTask;
    }

    /// <summary>Completes at the next heartbeat.</summary>
    public Task NextHeartbeatAsync()
    {
        lock (_gate)
            return _heartbeat.Task;
    }

    /// <summary>Cancels <see cref="CancellationToken"/>.</summary>
    public void Cancel() => _cancel.Cancel();

    public void Dispose() => _cancel.Dispose();
}

/// <summary>Runs activity code with an <see cref="ActivityTestContext"/> as <see cref="ActivityExecutionContext.Current"/>.</summary>
public static class ActivityTestHelper
{
    /// <summary>Runs <paramref name="activity"/> (a call on your implementation) with <paramref name="context"/> current.</summary>
    public static async Task<T> RunAsync<T>(ActivityTestContext context, Func<CancellationToken, Task<T>> activity)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(activity);
        await Task.Yield();
        ActivityExecutionContext.Current = context;
        return await activity(context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs an activity that returns nothing.</summary>
    public static Task RunAsync(ActivityTestContext context, Func<CancellationToken, Task> activity) =>
        RunAsync(context, async ct => { await activity(ct).ConfigureAwait(false); return true; });

    /// <summary>Runs one entry of a dispatch table: encoded input in, encoded result out, as the worker would.</summary>
    public static Task<string?> RunAsync(ActivityHandler handler, string? input, ActivityTestContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        context ??= new ActivityTestContext(handler.Definition.ToActivityType());
        return RunAsync(context, _ => handler.Invoke(input, context));
    }
}
