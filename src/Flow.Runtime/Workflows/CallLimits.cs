using System.Globalization;

namespace Flow.Workflows;

/// <summary>
/// SWF's per-decision limits, checked where workflow code makes the call. Refused only when the response is sent, a
/// value over a limit fails the decision task on every retry, forever; thrown here, the workflow code sees an
/// ArgumentException naming the field, its length and the limit, and if it does not handle it the workflow fails
/// with that reason. The checks depend only on the call's arguments, so a replay throws at the same call. The
/// send-time validation of each decision stays as a backstop.
/// </summary>
internal static class CallLimits
{
    public const int MaxId = 256;
    public const int MaxName = 256;
    public const int MaxVersion = 64;
    public const int MaxRunId = 64;
    public const int MaxPayload = 32768;
    public const int MaxTags = 5;
    public const int MaxTag = 256;
    public const int MaxDurationDigits = 8;
    public const int MaxLambdaRole = 1600;

    /// <summary>At most <paramref name="max"/> characters.</summary>
    public static void Length(string? value, int max, string field, string swfField)
    {
        if (value is { Length: var n } && n > max)
            throw new ArgumentException($"{field} is {n} characters long; SWF allows at most {max}.", swfField);
    }

    /// <summary>1 to <paramref name="max"/> characters.</summary>
    public static void Required(string? value, int max, string field, string swfField)
    {
        if (value is { Length: 0 })
            throw new ArgumentException($"{field} is 0 characters long; SWF allows at least 1 and at most {max}.", swfField);
        Length(value, max, field, swfField);
    }

    /// <summary>An id, name or task list: 1 to <paramref name="max"/> characters, none of ':' '/' '|' or a control
    /// character, and not the literal "arn" (SWF's rule for activityId, workflowId, timerId and task list names).</summary>
    public static void Identifier(string? value, int max, string field, string swfField)
    {
        Required(value, max, field, swfField);
        if (value is null)
            return;
        if (value == "arn")
            throw new ArgumentException($"{field} is \"arn\", a literal SWF reserves.", swfField);
        foreach (var c in value)
        {
            if (c is ':' or '/' or '|')
                throw new ArgumentException($"{field} \"{value}\" contains '{c}', which SWF refuses in ids and names.", swfField);
            if (c <= '\u001f' || c is >= '\u007f' and <= '\u009f')
                throw new ArgumentException(
                    $"{field} contains the control character U+{(int)c:X4}, which SWF refuses in ids and names.", swfField);
        }
    }

    /// <summary>A duration Flow writes as SWF's whole seconds: at most 8 digits.</summary>
    public static void Duration(TimeSpan? value, string field, string swfField)
    {
        if (value is not { } v || v == Timeout.InfiniteTimeSpan)
            return;
        if (v < TimeSpan.Zero)
            throw new ArgumentException($"{field} is {v}; SWF durations cannot be negative.", swfField);
        var seconds = Durations.Seconds(v).ToString(CultureInfo.InvariantCulture);
        if (seconds.Length > MaxDurationDigits)
            throw new ArgumentException(
                $"{field} is {seconds} seconds: {seconds.Length} digits long; SWF allows at most {MaxDurationDigits} (99999999 seconds).", swfField);
    }

    /// <summary>A definition's duration string ("600", "NONE"), as hand-written definitions may carry any.</summary>
    public static void DurationText(string? value, string field, string swfField)
    {
        if (value is { Length: var n } && n > MaxDurationDigits)
            throw new ArgumentException($"{field} is \"{value}\": {n} characters long; SWF allows at most {MaxDurationDigits}.", swfField);
    }

    public static void Tags(IReadOnlyList<string>? tags, string field)
    {
        if (tags is null)
            return;
        if (tags.Count > MaxTags)
            throw new ArgumentException($"{field} has {tags.Count} tags; SWF allows at most {MaxTags}.", "tagList");
        for (var i = 0; i < tags.Count; i++)
            Length(tags[i] ?? throw new ArgumentException($"{field}[{i}] is null.", "tagList"), MaxTag, $"{field}[{i}]", "tagList");
    }

    public static void Activity(ActivityDefinition activity, ActivityOptions? options)
    {
        Identifier(activity.Name, MaxName, "ActivityDefinition.Name", "activityType.name");
        Identifier(activity.Version, MaxVersion, "ActivityDefinition.Version", "activityType.version");
        if (options?.ActivityId is { } id)
        {
            // Retries append "#{attempt}": the longest suffix the policy allows must fit as well (MaximumAttempts ≤ 0 is unlimited).
            var suffix = options.RetryPolicy is not { MaximumAttempts: not 1 and var attempts } ? 0
                : attempts > 1 ? 1 + attempts.ToString(CultureInfo.InvariantCulture).Length
                : AttemptId.MaxSuffixLength;
            if (suffix > 0 && id.Length > MaxId - suffix)
                throw new ArgumentException(
                    $"ActivityOptions.ActivityId is {id.Length} characters long; with room for the retry attempt suffix ('#' and up to " +
                    $"{suffix - 1} digits) SWF allows at most {MaxId - suffix}.", "activityId");
            Identifier(id, MaxId, "ActivityOptions.ActivityId", "activityId");
        }
        Identifier(options?.TaskList ?? activity.DefaultTaskList, MaxName,
            options?.TaskList is not null ? "ActivityOptions.TaskList" : "ActivityDefinition.DefaultTaskList", "taskList.name");
        Duration(options?.ScheduleToStartTimeout, "ActivityOptions.ScheduleToStartTimeout", "scheduleToStartTimeout");
        Duration(options?.StartToCloseTimeout, "ActivityOptions.StartToCloseTimeout", "startToCloseTimeout");
        Duration(options?.ScheduleToCloseTimeout, "ActivityOptions.ScheduleToCloseTimeout", "scheduleToCloseTimeout");
        Duration(options?.HeartbeatTimeout, "ActivityOptions.HeartbeatTimeout", "heartbeatTimeout");
        DurationText(activity.DefaultScheduleToStartTimeout, "ActivityDefinition.DefaultScheduleToStartTimeout", "scheduleToStartTimeout");
        DurationText(activity.DefaultStartToCloseTimeout, "ActivityDefinition.DefaultStartToCloseTimeout", "startToCloseTimeout");
        DurationText(activity.DefaultScheduleToCloseTimeout, "ActivityDefinition.DefaultScheduleToCloseTimeout", "scheduleToCloseTimeout");
        DurationText(activity.DefaultHeartbeatTimeout, "ActivityDefinition.DefaultHeartbeatTimeout", "heartbeatTimeout");
    }

    public static void Child(WorkflowDefinition workflow, ChildWorkflowOptions? options)
    {
        Identifier(workflow.Name, MaxName, "WorkflowDefinition.Name", "workflowType.name");
        Identifier(workflow.Version, MaxVersion, "WorkflowDefinition.Version", "workflowType.version");
        if (options?.WorkflowId is { } id)
            Identifier(id, MaxId, "ChildWorkflowOptions.WorkflowId", "workflowId");
        Identifier(options?.TaskList ?? workflow.DefaultTaskList, MaxName,
            options?.TaskList is not null ? "ChildWorkflowOptions.TaskList" : "WorkflowDefinition.DefaultTaskList", "taskList.name");
        Duration(options?.ExecutionStartToCloseTimeout, "ChildWorkflowOptions.ExecutionStartToCloseTimeout", "executionStartToCloseTimeout");
        Duration(options?.TaskStartToCloseTimeout, "ChildWorkflowOptions.TaskStartToCloseTimeout", "taskStartToCloseTimeout");
        DurationText(workflow.DefaultExecutionStartToCloseTimeout, "WorkflowDefinition.DefaultExecutionStartToCloseTimeout", "executionStartToCloseTimeout");
        DurationText(workflow.DefaultTaskStartToCloseTimeout, "WorkflowDefinition.DefaultTaskStartToCloseTimeout", "taskStartToCloseTimeout");
        Tags(options?.TagList, "ChildWorkflowOptions.TagList");
    }

    public static void ContinueAsNew(WorkflowDefinition workflow, string? input, WorkflowStartOptions? options)
    {
        Length(input, MaxPayload, "The continue-as-new input", "input");
        Identifier(workflow.Version, MaxVersion, "WorkflowDefinition.Version", "workflowTypeVersion");
        if (options?.TaskList is { } list)
            Identifier(list, MaxName, "WorkflowStartOptions.TaskList", "taskList.name");
        Duration(options?.ExecutionStartToCloseTimeout, "WorkflowStartOptions.ExecutionStartToCloseTimeout", "executionStartToCloseTimeout");
        Duration(options?.TaskStartToCloseTimeout, "WorkflowStartOptions.TaskStartToCloseTimeout", "taskStartToCloseTimeout");
        Tags(options?.TagList, "WorkflowStartOptions.TagList");
        Required(options?.LambdaRole, MaxLambdaRole, "WorkflowStartOptions.LambdaRole", "lambdaRole");
    }
}
