using Microsoft.Extensions.Logging;

namespace Flow.Workers;

internal static partial class WorkerLog
{
    [LoggerMessage(1, LogLevel.Information, "{Kind} worker {Identity} polling task list {TaskList} in domain {Domain} with {Pollers} pollers")]
    public static partial void Started(ILogger logger, string kind, string identity, string taskList, string domain, int pollers);

    [LoggerMessage(2, LogLevel.Information, "{Kind} worker {Identity} stopped ({Abandoned} tasks cut short at shutdown)")]
    public static partial void Stopped(ILogger logger, string kind, string identity, int abandoned);

    [LoggerMessage(3, LogLevel.Warning, "Poll on task list {TaskList} failed (attempt {Attempt}); backing off")]
    public static partial void PollFailed(ILogger logger, Exception exception, string taskList, int attempt);

    [LoggerMessage(4, LogLevel.Warning, "{Operation} failed (attempt {Attempt}); retrying")]
    public static partial void RespondRetry(ILogger logger, Exception exception, string operation, int attempt);

    [LoggerMessage(5, LogLevel.Error, "{Operation} failed; the task is dropped and SWF will time it out")]
    public static partial void RespondFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(6, LogLevel.Warning, "Activity {ActivityType} ({ActivityId}) of {WorkflowId} failed: {Reason}")]
    public static partial void ActivityFailed(ILogger logger, string activityType, string activityId, string workflowId, string reason);

    [LoggerMessage(7, LogLevel.Warning, "Activity task {ActivityId} of {WorkflowId} has type {ActivityType}, which this worker does not know")]
    public static partial void UnknownActivityType(ILogger logger, string activityId, string workflowId, string activityType);

    [LoggerMessage(8, LogLevel.Warning, "Heartbeat of activity {ActivityId} failed")]
    public static partial void HeartbeatFailed(ILogger logger, Exception exception, string activityId);

    [LoggerMessage(9, LogLevel.Warning, "Activity {ActivityId} no longer exists in SWF (timed out or closed); its result will not be reported")]
    public static partial void ActivityTaskLost(ILogger logger, string activityId);

    [LoggerMessage(10, LogLevel.Error, "Decision task for {WorkflowId} ({RunId}) failed without a response; SWF will retry it")]
    public static partial void DecisionTaskFailed(ILogger logger, Exception exception, string workflowId, string runId);

    [LoggerMessage(11, LogLevel.Error, "Decision task for {WorkflowId} ({RunId}) has workflow type {WorkflowType}, which this worker does not know")]
    public static partial void UnknownWorkflowType(ILogger logger, string workflowId, string runId, string workflowType);

    [LoggerMessage(12, LogLevel.Debug, "Decision cache doubt for {RunId}: {Why}; replaying the full history")]
    public static partial void CacheDoubt(ILogger logger, string runId, string why);

    [LoggerMessage(13, LogLevel.Information, "Registered {Kind} {Name} {Version} in domain {Domain}")]
    public static partial void Registered(ILogger logger, string kind, string name, string version, string domain);

    [LoggerMessage(14, LogLevel.Warning, "Registration call throttled (attempt {Attempt}); retrying")]
    public static partial void RegistrationRetry(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(15, LogLevel.Error, "Processing a task failed unexpectedly")]
    public static partial void TaskCrashed(ILogger logger, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "{Operation} found the task closed ({Message}): it timed out, or an earlier attempt whose answer was lost took effect")]
    public static partial void TaskAlreadyClosed(ILogger logger, string operation, string message);
}
