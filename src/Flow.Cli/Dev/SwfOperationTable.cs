using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Flow.Swf;

namespace Flow.Cli.Dev;

/// <summary>One SWF operation as the HTTP front sees it: decode the body, check the model's limits,
/// call the engine, encode the answer. Everything typed through <see cref="SwfJsonContext"/>.</summary>
internal abstract class SwfOperation
{
    /// <summary>Long polls are cut short when the server stops, and answered as an empty poll.</summary>
    public bool IsPoll { get; init; }

    /// <summary>Decodes and validates <paramref name="body"/>; throws <see cref="JsonException"/> or
    /// <see cref="ArgumentException"/> for a bad request.</summary>
    public abstract object Decode(ReadOnlySpan<byte> body);

    /// <summary>Runs the operation and writes its JSON answer into <paramref name="output"/>.</summary>
    public abstract Task InvokeAsync(ISwfClient client, object input, Utf8JsonWriter output, CancellationToken cancellationToken);
}

internal static class SwfOperationTable
{
    private static SwfJsonContext J => SwfJsonContext.Default;

    /// <summary>Answers that carry history events write each event's recorded JSON (<see cref="HistoryEvent.Json"/>)
    /// as it is: a decision task repeats the whole history so far, so each event would be serialised again at every
    /// decision. Events without it (in memory, or loaded at start) are written from their members, to the same JSON.</summary>
    internal static readonly SwfJsonContext WithRecordedEvents = new(new JsonSerializerOptions(J.Options)
    {
        TypeInfoResolver = null, Converters = { new RecordedEventConverter() },
    });

    /// <summary>Operation name (the part of X-Amz-Target after the dot) → handler.</summary>
    public static readonly FrozenDictionary<string, SwfOperation> ByName = new Dictionary<string, SwfOperation>
    {
        [SwfOperations.CountClosedWorkflowExecutions] = Op(J.CountClosedWorkflowExecutionsInput, J.WorkflowExecutionCount, static (c, i, t) => c.CountClosedWorkflowExecutionsAsync(i, t), static i => i.Validate("")),
        [SwfOperations.CountOpenWorkflowExecutions] = Op(J.CountOpenWorkflowExecutionsInput, J.WorkflowExecutionCount, static (c, i, t) => c.CountOpenWorkflowExecutionsAsync(i, t), static i => i.Validate("")),
        [SwfOperations.CountPendingActivityTasks] = Op(J.CountPendingActivityTasksInput, J.PendingTaskCount, static (c, i, t) => c.CountPendingActivityTasksAsync(i, t), static i => i.Validate("")),
        [SwfOperations.CountPendingDecisionTasks] = Op(J.CountPendingDecisionTasksInput, J.PendingTaskCount, static (c, i, t) => c.CountPendingDecisionTasksAsync(i, t), static i => i.Validate("")),
        [SwfOperations.DeleteActivityType] = Op(J.DeleteActivityTypeInput, static (c, i, t) => c.DeleteActivityTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.DeleteWorkflowType] = Op(J.DeleteWorkflowTypeInput, static (c, i, t) => c.DeleteWorkflowTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.DeprecateActivityType] = Op(J.DeprecateActivityTypeInput, static (c, i, t) => c.DeprecateActivityTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.DeprecateDomain] = Op(J.DeprecateDomainInput, static (c, i, t) => c.DeprecateDomainAsync(i, t), static i => i.Validate("")),
        [SwfOperations.DeprecateWorkflowType] = Op(J.DeprecateWorkflowTypeInput, static (c, i, t) => c.DeprecateWorkflowTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.DescribeActivityType] = Op(J.DescribeActivityTypeInput, J.ActivityTypeDetail, static (c, i, t) => c.DescribeActivityTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.DescribeDomain] = Op(J.DescribeDomainInput, J.DomainDetail, static (c, i, t) => c.DescribeDomainAsync(i, t), static i => i.Validate("")),
        [SwfOperations.DescribeWorkflowExecution] = Op(J.DescribeWorkflowExecutionInput, J.WorkflowExecutionDetail, static (c, i, t) => c.DescribeWorkflowExecutionAsync(i, t), static i => i.Validate("")),
        [SwfOperations.DescribeWorkflowType] = Op(J.DescribeWorkflowTypeInput, J.WorkflowTypeDetail, static (c, i, t) => c.DescribeWorkflowTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.GetWorkflowExecutionHistory] = Op(J.GetWorkflowExecutionHistoryInput, WithRecordedEvents.History, static (c, i, t) => c.GetWorkflowExecutionHistoryAsync(i, t), static i => i.Validate("")),
        [SwfOperations.ListActivityTypes] = Op(J.ListActivityTypesInput, J.ActivityTypeInfos, static (c, i, t) => c.ListActivityTypesAsync(i, t), static i => i.Validate("")),
        [SwfOperations.ListClosedWorkflowExecutions] = Op(J.ListClosedWorkflowExecutionsInput, J.WorkflowExecutionInfos, static (c, i, t) => c.ListClosedWorkflowExecutionsAsync(i, t), static i => i.Validate("")),
        [SwfOperations.ListDomains] = Op(J.ListDomainsInput, J.DomainInfos, static (c, i, t) => c.ListDomainsAsync(i, t), static i => i.Validate("")),
        [SwfOperations.ListOpenWorkflowExecutions] = Op(J.ListOpenWorkflowExecutionsInput, J.WorkflowExecutionInfos, static (c, i, t) => c.ListOpenWorkflowExecutionsAsync(i, t), static i => i.Validate("")),
        [SwfOperations.ListTagsForResource] = Op(J.ListTagsForResourceInput, J.ListTagsForResourceOutput, static (c, i, t) => c.ListTagsForResourceAsync(i, t), static i => i.Validate("")),
        [SwfOperations.ListWorkflowTypes] = Op(J.ListWorkflowTypesInput, J.WorkflowTypeInfos, static (c, i, t) => c.ListWorkflowTypesAsync(i, t), static i => i.Validate("")),
        [SwfOperations.PollForActivityTask] = Op(J.PollForActivityTaskInput, J.ActivityTask, static (c, i, t) => c.PollForActivityTaskAsync(i, t), static i => i.Validate("")),
        [SwfOperations.PollForDecisionTask] = Op(J.PollForDecisionTaskInput, WithRecordedEvents.DecisionTask, static (c, i, t) => c.PollForDecisionTaskAsync(i, t), static i => i.Validate("")),
        [SwfOperations.RecordActivityTaskHeartbeat] = Op(J.RecordActivityTaskHeartbeatInput, J.ActivityTaskStatus, static (c, i, t) => c.RecordActivityTaskHeartbeatAsync(i, t), static i => i.Validate("")),
        [SwfOperations.RegisterActivityType] = Op(J.RegisterActivityTypeInput, static (c, i, t) => c.RegisterActivityTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.RegisterDomain] = Op(J.RegisterDomainInput, static (c, i, t) => c.RegisterDomainAsync(i, t), static i => i.Validate("")),
        [SwfOperations.RegisterWorkflowType] = Op(J.RegisterWorkflowTypeInput, static (c, i, t) => c.RegisterWorkflowTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.RequestCancelWorkflowExecution] = Op(J.RequestCancelWorkflowExecutionInput, static (c, i, t) => c.RequestCancelWorkflowExecutionAsync(i, t), static i => i.Validate("")),
        [SwfOperations.RespondActivityTaskCanceled] = Op(J.RespondActivityTaskCanceledInput, static (c, i, t) => c.RespondActivityTaskCanceledAsync(i, t), static i => i.Validate("")),
        [SwfOperations.RespondActivityTaskCompleted] = Op(J.RespondActivityTaskCompletedInput, static (c, i, t) => c.RespondActivityTaskCompletedAsync(i, t), static i => i.Validate("")),
        [SwfOperations.RespondActivityTaskFailed] = Op(J.RespondActivityTaskFailedInput, static (c, i, t) => c.RespondActivityTaskFailedAsync(i, t), static i => i.Validate("")),
        [SwfOperations.RespondDecisionTaskCompleted] = Op(J.RespondDecisionTaskCompletedInput, static (c, i, t) => c.RespondDecisionTaskCompletedAsync(i, t), static i => i.Validate("")),
        [SwfOperations.SignalWorkflowExecution] = Op(J.SignalWorkflowExecutionInput, static (c, i, t) => c.SignalWorkflowExecutionAsync(i, t), static i => i.Validate("")),
        [SwfOperations.StartWorkflowExecution] = Op(J.StartWorkflowExecutionInput, J.Run, static (c, i, t) => c.StartWorkflowExecutionAsync(i, t), static i => i.Validate("")),
        [SwfOperations.TagResource] = Op(J.TagResourceInput, static (c, i, t) => c.TagResourceAsync(i, t), static i => i.Validate("")),
        [SwfOperations.TerminateWorkflowExecution] = Op(J.TerminateWorkflowExecutionInput, static (c, i, t) => c.TerminateWorkflowExecutionAsync(i, t), static i => i.Validate("")),
        [SwfOperations.UndeprecateActivityType] = Op(J.UndeprecateActivityTypeInput, static (c, i, t) => c.UndeprecateActivityTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.UndeprecateDomain] = Op(J.UndeprecateDomainInput, static (c, i, t) => c.UndeprecateDomainAsync(i, t), static i => i.Validate("")),
        [SwfOperations.UndeprecateWorkflowType] = Op(J.UndeprecateWorkflowTypeInput, static (c, i, t) => c.UndeprecateWorkflowTypeAsync(i, t), static i => i.Validate("")),
        [SwfOperations.UntagResource] = Op(J.UntagResourceInput, static (c, i, t) => c.UntagResourceAsync(i, t), static i => i.Validate("")),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static SwfOperation Op<TIn, TOut>(JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output,
        Func<ISwfClient, TIn, CancellationToken, Task<TOut>> call, Action<TIn> validate) where TIn : class
        => new WithOutput<TIn, TOut>(input, output, call, validate) { IsPoll = typeof(TIn) == typeof(PollForDecisionTaskInput) || typeof(TIn) == typeof(PollForActivityTaskInput) };

    private static SwfOperation Op<TIn>(JsonTypeInfo<TIn> input,
        Func<ISwfClient, TIn, CancellationToken, Task> call, Action<TIn> validate) where TIn : class
        => new WithoutOutput<TIn>(input, call, validate);

    private static bool IsEmptyPoll(object? result) => result switch
    {
        DecisionTask d => string.IsNullOrEmpty(d.TaskToken),
        ActivityTask a => string.IsNullOrEmpty(a.TaskToken),
        _ => false,
    };

    private sealed class RecordedEventConverter : System.Text.Json.Serialization.JsonConverter<HistoryEvent>
    {
        public override HistoryEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize(ref reader, J.HistoryEvent)!;

        public override void Write(Utf8JsonWriter writer, HistoryEvent value, JsonSerializerOptions options)
        {
            if (value.Json is { } json)
                writer.WriteRawValue(json, skipInputValidation: true);
            else
                JsonSerializer.Serialize(writer, value, J.HistoryEvent);
        }
    }

    /// <summary>SWF answers a poll that found no task with the task's numeric fields only (no taskToken),
    /// which is how clients tell "no task" from a task.</summary>
    public static void WriteEmptyPoll(Utf8JsonWriter writer, bool decision)
    {
        writer.WriteStartObject();
        if (decision)
            writer.WriteNumber("previousStartedEventId"u8, 0);
        writer.WriteNumber("startedEventId"u8, 0);
        writer.WriteEndObject();
    }

    private static TIn DecodeBody<TIn>(ReadOnlySpan<byte> body, JsonTypeInfo<TIn> info, Action<TIn> validate) where TIn : class
    {
        // An empty body reads as an empty object, as botocore sends for parameterless calls.
        TIn value = (body.IsEmpty ? JsonSerializer.Deserialize("{}"u8, info) : JsonSerializer.Deserialize(body, info))
            ?? throw new JsonException("The request body must be a JSON object, not null.");
        validate(value);
        return value;
    }

    private sealed class WithOutput<TIn, TOut>(JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output,
        Func<ISwfClient, TIn, CancellationToken, Task<TOut>> call, Action<TIn> validate) : SwfOperation where TIn : class
    {
        public override object Decode(ReadOnlySpan<byte> body) => DecodeBody(body, input, validate);

        public override async Task InvokeAsync(ISwfClient client, object request, Utf8JsonWriter writer, CancellationToken cancellationToken)
        {
            TOut result = await call(client, (TIn)request, cancellationToken).ConfigureAwait(false);
            if (IsEmptyPoll(result))
                WriteEmptyPoll(writer, result is DecisionTask);
            else
                JsonSerializer.Serialize(writer, result, output);
        }
    }

    private sealed class WithoutOutput<TIn>(JsonTypeInfo<TIn> input,
        Func<ISwfClient, TIn, CancellationToken, Task> call, Action<TIn> validate) : SwfOperation where TIn : class
    {
        public override object Decode(ReadOnlySpan<byte> body) => DecodeBody(body, input, validate);

        public override async Task InvokeAsync(ISwfClient client, object request, Utf8JsonWriter writer, CancellationToken cancellationToken)
        {
            await call(client, (TIn)request, cancellationToken).ConfigureAwait(false);
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
    }
}
