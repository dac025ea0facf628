using Flow.Workers;
using Flow.Swf;

namespace Flow;

/// <summary>
/// Completes activity tasks by task token from anywhere — another process, a web hook, a human — for activities
/// declared with <see cref="ActivityAttribute.ManualCompletion"/> (the worker leaves those open).
/// </summary>
public sealed class ActivityCompletionClient(ISwfClient swf)
{
    public ISwfClient Swf { get; } = swf;

    public Task CompleteAsync(string taskToken, string? result, CancellationToken cancellationToken = default)
    {
        if (result is { Length: > ActivityFailure.MaxDetails })
            throw new ArgumentException($"The result is {result.Length} characters long; SWF allows at most 32,768.", nameof(result));
        return Swf.RespondActivityTaskCompletedAsync(new RespondActivityTaskCompletedInput { TaskToken = taskToken, Result = result }, cancellationToken);
    }

    /// <summary>Fails the task with a reason (≤ 256 characters) and details (≤ 32,768), cut to fit.</summary>
    public Task FailAsync(string taskToken, string? reason, string? details, CancellationToken cancellationToken = default)
        => Swf.RespondActivityTaskFailedAsync(new RespondActivityTaskFailedInput
        {
            TaskToken = taskToken,
            Reason = reason is null ? null : ActivityFailure.Reason(reason),
            Details = details is null ? null : ExceptionText.Prefix(details, ActivityFailure.MaxDetails),
        }, cancellationToken);

    /// <summary>Fails the task the way a worker reports an exception: reason = its type, details = JSON type, message and stack.</summary>
    public Task FailAsync(string taskToken, Exception exception, CancellationToken cancellationToken = default)
        => Swf.RespondActivityTaskFailedAsync(new RespondActivityTaskFailedInput
        {
            TaskToken = taskToken,
            Reason = ActivityFailure.Reason(exception),
            Details = ActivityFailure.Details(exception),
        }, cancellationToken);

    public Task CancelAsync(string taskToken, string? details = null, CancellationToken cancellationToken = default)
        => Swf.RespondActivityTaskCanceledAsync(new RespondActivityTaskCanceledInput { TaskToken = taskToken, Details = details }, cancellationToken);

    /// <summary>Records a heartbeat; true when the workflow asked to cancel the activity.</summary>
    public async Task<bool> HeartbeatAsync(string taskToken, string? details = null, CancellationToken cancellationToken = default)
        => (await Swf.RecordActivityTaskHeartbeatAsync(new RecordActivityTaskHeartbeatInput { TaskToken = taskToken, Details = details },
            cancellationToken).ConfigureAwait(false)).CancelRequested;
}
