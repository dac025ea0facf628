using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Flow.Swf;

namespace Flow;

// Typed failures that workflow code sees when something it awaited did not succeed. Reasons and details are
// what SWF recorded; ErrorType/ErrorBaseTypes/ErrorMessage/ErrorStackTrace are decoded from details when the other
// side sent Flow's JSON shape {"type","bases","message","stack"} (what Flow's activity worker writes).

/// <summary>An activity task ended with ActivityTaskFailed.</summary>
public sealed class ActivityFailedException : Exception
{
    internal ActivityFailedException(string activityId, ActivityType activityType, string? reason, string? details)
        : base(FailureText.Describe($"Activity {activityType.Name} {activityType.Version} (id {activityId}) failed", reason, details))
    {
        ActivityId = activityId;
        ActivityType = activityType;
        Reason = reason;
        Details = details;
        (ErrorType, ErrorMessage, ErrorStackTrace) = FailureText.Decode(reason, details, out var bases);
        ErrorBaseTypes = bases;
    }

    public string ActivityId { get; }
    public ActivityType ActivityType { get; }
    public string? Reason { get; }
    public string? Details { get; }

    /// <summary>The activity's exception type (from details, else the reason).</summary>
    public string? ErrorType { get; }

    /// <summary>The full names of <see cref="ErrorType"/>'s base types, nearest first, down to System.Exception, as the
    /// activity worker sent them; empty when it sent none (details not written by Flow).</summary>
    public IReadOnlyList<string> ErrorBaseTypes { get; }
    public string? ErrorMessage { get; }
    public string? ErrorStackTrace { get; }
}

/// <summary>The function given to <see cref="Workflow.SideEffectAsync"/> threw. The failure is recorded in the history
/// (marker Flow.SideEffectFailed), so every replay throws this again at the same call, with the same text; there is no
/// InnerException, which only the first run could give.</summary>
public sealed class SideEffectFailedException : Exception
{
    internal SideEffectFailedException(string details)
        : base(FailureText.Describe("Workflow.SideEffectAsync's function threw", FailureText.Decode(null, details).Type, details))
    {
        Details = details;
        (ErrorType, ErrorMessage, ErrorStackTrace) = FailureText.Decode(null, details, out var bases);
        ErrorBaseTypes = bases;
    }

    /// <summary>The marker's details: <c>{"type","bases","message","stack"}</c>.</summary>
    public string Details { get; }

    /// <summary>The function's exception type, such as System.IO.IOException.</summary>
    public string? ErrorType { get; }

    /// <summary>The full names of <see cref="ErrorType"/>'s base types, nearest first; empty in markers recorded before
    /// Flow wrote them.</summary>
    public IReadOnlyList<string> ErrorBaseTypes { get; }
    public string? ErrorMessage { get; }
    public string? ErrorStackTrace { get; }
}

/// <summary>An activity task ended with ActivityTaskTimedOut.</summary>
public sealed class ActivityTimedOutException : Exception
{
    internal ActivityTimedOutException(string activityId, ActivityType activityType, ActivityTaskTimeoutType timeoutType, string? details)
        : base($"Activity {activityType.Name} {activityType.Version} (id {activityId}) timed out ({TimeoutName(timeoutType)}).")
    {
        ActivityId = activityId;
        ActivityType = activityType;
        TimeoutType = timeoutType;
        Details = details;
    }

    public string ActivityId { get; }
    public ActivityType ActivityType { get; }
    public ActivityTaskTimeoutType TimeoutType { get; }

    /// <summary>The last heartbeat's details, for HEARTBEAT timeouts.</summary>
    public string? Details { get; }

    private static string TimeoutName(ActivityTaskTimeoutType t) => t switch
    {
        ActivityTaskTimeoutType.StartToClose => "START_TO_CLOSE",
        ActivityTaskTimeoutType.ScheduleToStart => "SCHEDULE_TO_START",
        ActivityTaskTimeoutType.ScheduleToClose => "SCHEDULE_TO_CLOSE",
        _ => "HEARTBEAT",
    };
}

/// <summary>An activity was cancelled: its token was cancelled (RequestCancelActivityTask was sent, or it was never
/// scheduled), or SWF recorded ActivityTaskCanceled.</summary>
public sealed class ActivityCanceledException : OperationCanceledException
{
    internal ActivityCanceledException(string activityId, ActivityType activityType, string? details, CancellationToken token)
        : base($"Activity {activityType.Name} {activityType.Version} (id {activityId}) was canceled.", token)
    {
        ActivityId = activityId;
        ActivityType = activityType;
        Details = details;
    }

    public string ActivityId { get; }
    public ActivityType ActivityType { get; }
    public string? Details { get; }
}

/// <summary>SWF refused the ScheduleActivityTask decision (ScheduleActivityTaskFailed).</summary>
public sealed class ScheduleActivityTaskFailedException(string activityId, ActivityType activityType, ScheduleActivityTaskFailedCause cause)
    : Exception($"SWF could not schedule activity {activityType.Name} {activityType.Version} (id {activityId}): {FailureText.Swf(cause)}.")
{
    public string ActivityId { get; } = activityId;
    public ActivityType ActivityType { get; } = activityType;
    public ScheduleActivityTaskFailedCause Cause { get; } = cause;
}

/// <summary>SWF refused a StartTimer decision (StartTimerFailed).</summary>
public sealed class StartTimerFailedException(string timerId, StartTimerFailedCause cause)
    : Exception($"SWF could not start timer {timerId}: {FailureText.Swf(cause)}.")
{
    public string TimerId { get; } = timerId;
    public StartTimerFailedCause Cause { get; } = cause;
}

/// <summary>A child workflow closed as failed (ChildWorkflowExecutionFailed).</summary>
public sealed class ChildWorkflowFailedException : Exception
{
    internal ChildWorkflowFailedException(WorkflowExecution execution, WorkflowType type, string? reason, string? details)
        : base(FailureText.Describe($"Child workflow {type.Name} {type.Version} ({execution.WorkflowId}) failed", reason, details))
    {
        Execution = execution;
        WorkflowType = type;
        Reason = reason;
        Details = details;
        (ErrorType, ErrorMessage, ErrorStackTrace) = FailureText.Decode(reason, details, out var bases);
        ErrorBaseTypes = bases;
    }

    public WorkflowExecution Execution { get; }
    public WorkflowType WorkflowType { get; }
    public string? Reason { get; }
    public string? Details { get; }

    /// <summary>The child's exception type (from details in Flow's JSON shape, else the reason).</summary>
    public string? ErrorType { get; }

    /// <summary>The full names of <see cref="ErrorType"/>'s base types, nearest first, when the details are in Flow's JSON
    /// shape and name them; else empty. A workflow failed by Flow closes with plain-text details, so this is empty for it.</summary>
    public IReadOnlyList<string> ErrorBaseTypes { get; }
    public string? ErrorMessage { get; }
    public string? ErrorStackTrace { get; }
}

/// <summary>A child workflow timed out (ChildWorkflowExecutionTimedOut).</summary>
public sealed class ChildWorkflowTimedOutException(WorkflowExecution execution, WorkflowType type)
    : Exception($"Child workflow {type.Name} {type.Version} ({execution.WorkflowId}) timed out.")
{
    public WorkflowExecution Execution { get; } = execution;
    public WorkflowType WorkflowType { get; } = type;
}

/// <summary>A child workflow was terminated (ChildWorkflowExecutionTerminated).</summary>
public sealed class ChildWorkflowTerminatedException(WorkflowExecution execution, WorkflowType type)
    : Exception($"Child workflow {type.Name} {type.Version} ({execution.WorkflowId}) was terminated.")
{
    public WorkflowExecution Execution { get; } = execution;
    public WorkflowType WorkflowType { get; } = type;
}

/// <summary>A child workflow was cancelled: its token was cancelled, or it closed as canceled.</summary>
public sealed class ChildWorkflowCanceledException : OperationCanceledException
{
    internal ChildWorkflowCanceledException(string workflowId, WorkflowType type, string? details, CancellationToken token)
        : base($"Child workflow {type.Name} {type.Version} ({workflowId}) was canceled.", token)
    {
        WorkflowId = workflowId;
        WorkflowType = type;
        Details = details;
    }

    public string WorkflowId { get; }
    public WorkflowType WorkflowType { get; }
    public string? Details { get; }
}

/// <summary>SWF could not start a child workflow (StartChildWorkflowExecutionFailed).</summary>
public sealed class StartChildWorkflowFailedException(string workflowId, WorkflowType type, StartChildWorkflowExecutionFailedCause cause)
    : Exception($"SWF could not start child workflow {type.Name} {type.Version} ({workflowId}): {FailureText.Swf(cause)}.")
{
    public string WorkflowId { get; } = workflowId;
    public WorkflowType WorkflowType { get; } = type;
    public StartChildWorkflowExecutionFailedCause Cause { get; } = cause;
}

/// <summary>SWF could not deliver a signal (SignalExternalWorkflowExecutionFailed).</summary>
public sealed class SignalExternalWorkflowFailedException(string workflowId, string signalName, SignalExternalWorkflowExecutionFailedCause cause)
    : Exception($"SWF could not signal {signalName} to workflow {workflowId}: {FailureText.Swf(cause)}.")
{
    public string WorkflowId { get; } = workflowId;
    public string SignalName { get; } = signalName;
    public SignalExternalWorkflowExecutionFailedCause Cause { get; } = cause;
}

/// <summary>SWF could not request cancellation of another workflow (RequestCancelExternalWorkflowExecutionFailed).</summary>
public sealed class RequestCancelExternalWorkflowFailedException(string workflowId, RequestCancelExternalWorkflowExecutionFailedCause cause)
    : Exception($"SWF could not request cancellation of workflow {workflowId}: {FailureText.Swf(cause)}.")
{
    public string WorkflowId { get; } = workflowId;
    public RequestCancelExternalWorkflowExecutionFailedCause Cause { get; } = cause;
}

internal static class FailureText
{
    /// <summary>An SWF enum as SWF spells it (ACTIVITY_TYPE_DOES_NOT_EXIST), through the source-generated metadata.</summary>
    public static string Swf<T>(T value) where T : struct, Enum =>
        SwfJsonContext.Default.GetTypeInfo(typeof(T)) is JsonTypeInfo<T> info ? JsonSerializer.Serialize(value, info).Trim('"') : value.ToString();

    public static string Describe(string what, string? reason, string? details)
    {
        var (_, message, _) = Decode(reason, details);
        var sb = new StringBuilder(what);
        if (!string.IsNullOrEmpty(reason)) sb.Append(": ").Append(reason);
        if (!string.IsNullOrEmpty(message) && message != reason) sb.Append(": ").Append(message);
        return sb.Append('.').ToString();
    }

    public static (string? Type, string? Message, string? Stack) Decode(string? reason, string? details) =>
        Decode(reason, details, out _);

    /// <summary>Reads {"type","bases","message","stack"} from details; falls back to (reason, details, null) and no
    /// bases.</summary>
    public static (string? Type, string? Message, string? Stack) Decode(string? reason, string? details, out IReadOnlyList<string> bases)
    {
        bases = [];
        if (details is { Length: > 1 } && details[0] == '{')
        {
            try
            {
                string? type = null, message = null, stack = null;
                List<string>? names = null;
                var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(details));
                if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var name = reader.GetString();
                        reader.Read();
                        if (name == "bases" && reader.TokenType == JsonTokenType.StartArray)
                        {
                            names = [];
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                            {
                                if (reader.TokenType == JsonTokenType.String)
                                    names.Add(reader.GetString()!);
                                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                                    reader.Skip();
                            }
                            continue;
                        }
                        var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                        switch (name)
                        {
                            case "type": type = value; break;
                            case "message": message = value; break;
                            case "stack": stack = value; break;
                        }
                    }
                    if (type is not null || message is not null)
                    {
                        bases = names ?? [];
                        return (type ?? reason, message, stack);
                    }
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                // Not Flow's shape (or a string JSON cannot give back, such as an escaped lone surrogate): keep the raw details.
            }
        }
        return (reason, details, null);
    }
}
