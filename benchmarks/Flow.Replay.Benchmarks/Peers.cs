using System.Text;
using DurableTask.Core;
using DurableTask.Core.Serializing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Newtonsoft.Json;
using Temporalio.Api.Common.V1;
using Temporalio.Api.Enums.V1;
using Temporalio.Api.History.V1;
using Temporalio.Common;
using Temporalio.Worker;
using Temporalio.Workflows;
using DtEvent = DurableTask.Core.History.HistoryEvent;

namespace Flow.Replay.Benchmarks;

/// <summary>
/// Temporal's .NET SDK replaying the same shape: 1,000 sequential activities, each in its own workflow task, from a
/// history built here event by event (as Temporal's server would record it), offline through
/// <see cref="WorkflowReplayer"/> (the SDK's Rust core runs in process; no server).
/// </summary>
public static class TemporalPeer
{
    /// <summary>WorkflowExecutionStarted, 3 workflow-task events + 3 activity events per activity, the last
    /// workflow task's 3 events and WorkflowExecutionCompleted: the same 6,005 events as Flow's SWF history.</summary>
    public const int Events = 1 + ReplayBenchmarks.Activities * 6 + 3 + 1;

    [Temporalio.Workflows.Workflow("Bench.Sequential")]
    public class Sequential
    {
        [WorkflowRun]
        public async Task<string> RunAsync(string input)
        {
            var value = input;
            for (var i = 1; i <= ReplayBenchmarks.Activities; i++)
                value = await Temporalio.Workflows.Workflow.ExecuteActivityAsync<string>("Bench.Step", [value],
                    new Temporalio.Workflows.ActivityOptions { StartToCloseTimeout = TimeSpan.FromMinutes(10), ActivityId = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            return value;
        }
    }

    public static WorkflowReplayer Replayer() => new(new WorkflowReplayerOptions().AddWorkflow<Sequential>());

    public static async Task<int> ReplayAsync(WorkflowReplayer replayer, WorkflowHistory history)
    {
        var result = await replayer.ReplayWorkflowAsync(history);
        if (result.ReplayFailure is { } failure)
            throw new InvalidOperationException("Temporal's replay failed.", failure);
        return history.Events.Count;
    }

    public static WorkflowHistory History()
    {
        var events = new List<HistoryEvent>();
        var clock = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        HistoryEvent Add(EventType type)
        {
            var e = new HistoryEvent { EventId = events.Count + 1, EventType = type, EventTime = Timestamp.FromDateTime(clock) };
            clock = clock.AddMilliseconds(137);
            events.Add(e);
            return e;
        }
        var queue = new Temporalio.Api.TaskQueue.V1.TaskQueue { Name = "bench", Kind = TaskQueueKind.Normal };
        Add(EventType.WorkflowExecutionStarted).WorkflowExecutionStartedEventAttributes = new()
        {
            WorkflowType = new WorkflowType { Name = "Bench.Sequential" }, TaskQueue = queue, Input = Json("0"),
            WorkflowExecutionTimeout = Duration.FromTimeSpan(TimeSpan.FromDays(1)), WorkflowRunTimeout = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
            WorkflowTaskTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(60)), OriginalExecutionRunId = "run", FirstExecutionRunId = "run",
            Attempt = 1, Identity = "host:1234", WorkflowId = "bench",
        };
        long completed = 0;
        void WorkflowTask()
        {
            var scheduled = Add(EventType.WorkflowTaskScheduled);
            scheduled.WorkflowTaskScheduledEventAttributes = new() { TaskQueue = queue, StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(60)), Attempt = 1 };
            var started = Add(EventType.WorkflowTaskStarted);
            started.WorkflowTaskStartedEventAttributes = new() { ScheduledEventId = scheduled.EventId, Identity = "host:1234", RequestId = "r" + scheduled.EventId };
            var done = Add(EventType.WorkflowTaskCompleted);
            done.WorkflowTaskCompletedEventAttributes = new() { ScheduledEventId = scheduled.EventId, StartedEventId = started.EventId, Identity = "host:1234" };
            completed = done.EventId;
        }
        var value = "0";
        for (var i = 1; i <= ReplayBenchmarks.Activities; i++)
        {
            WorkflowTask();
            var scheduled = Add(EventType.ActivityTaskScheduled);
            scheduled.ActivityTaskScheduledEventAttributes = new()
            {
                ActivityId = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ActivityType = new ActivityType { Name = "Bench.Step" },
                TaskQueue = queue, Input = Json(value), WorkflowTaskCompletedEventId = completed,
                StartToCloseTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
            };
            var started = Add(EventType.ActivityTaskStarted);
            started.ActivityTaskStartedEventAttributes = new() { ScheduledEventId = scheduled.EventId, Identity = "host:4321", RequestId = "a" + i, Attempt = 1 };
            value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Add(EventType.ActivityTaskCompleted).ActivityTaskCompletedEventAttributes = new()
            { ScheduledEventId = scheduled.EventId, StartedEventId = started.EventId, Result = Json(value), Identity = "host:4321" };
        }
        WorkflowTask();
        Add(EventType.WorkflowExecutionCompleted).WorkflowExecutionCompletedEventAttributes = new() { Result = Json(value), WorkflowTaskCompletedEventId = completed };
        if (events.Count != Events)
            throw new InvalidOperationException($"Temporal history has {events.Count} events, expected {Events}.");
        return new WorkflowHistory("bench", events);
    }

    private static Payloads Json(string value)
    {
        var payload = new Payload { Data = ByteString.CopyFromUtf8("\"" + value + "\"") };
        payload.Metadata["encoding"] = ByteString.CopyFromUtf8("json/plain");
        return new Payloads { Payloads_ = { payload } };
    }
}

/// <summary>
/// DurableTask.Core replaying the same shape: its orchestration history for 1,000 sequential activities (one
/// orchestrator episode per activity), through <see cref="TaskOrchestrationExecutor"/>; the last TaskCompleted is
/// new, so the executor replays everything before it and decides to complete. Its "parse" is Newtonsoft.Json with
/// type names, the way DurableTask's own JsonDataConverter stores history.
/// </summary>
public static class DurableTaskPeer
{
    /// <summary>OrchestratorStarted, ExecutionStarted, TaskScheduled, OrchestratorCompleted; then per activity after
    /// the first OrchestratorStarted, TaskCompleted, TaskScheduled, OrchestratorCompleted; then OrchestratorStarted and
    /// the last TaskCompleted as new events.</summary>
    public const int Events = 4 + (ReplayBenchmarks.Activities - 1) * 4 + 2;

    private static readonly JsonSerializerSettings Settings = new() { TypeNameHandling = TypeNameHandling.Objects };
    private static readonly JsonDataConverter Converter = new(Settings);

    public sealed class Sequential : TaskOrchestration<string, string>
    {
        public override async Task<string> RunTask(OrchestrationContext context, string input)
        {
            var value = input;
            for (var i = 0; i < ReplayBenchmarks.Activities; i++)
                value = await context.ScheduleTask<string>("Bench.Step", "1", value);
            return value;
        }
    }

    public static List<DtEvent> History()
    {
        var events = new List<DtEvent>();
        var clock = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        T Add<T>(T e) where T : DtEvent
        {
            e.Timestamp = clock;
            clock = clock.AddMilliseconds(137);
            events.Add(e);
            return e;
        }
        Add(new DurableTask.Core.History.OrchestratorStartedEvent(-1));
        Add(new DurableTask.Core.History.ExecutionStartedEvent(-1, "\"0\"")
        {
            Name = "Bench.Sequential", Version = "1", OrchestrationInstance = new OrchestrationInstance { InstanceId = "bench", ExecutionId = "run" },
        });
        for (var i = 0; i < ReplayBenchmarks.Activities; i++)
        {
            if (i > 0)
            {
                Add(new DurableTask.Core.History.OrchestratorStartedEvent(-1));
                Add(new DurableTask.Core.History.TaskCompletedEvent(-1, i - 1, $"\"{i}\""));
            }
            Add(new DurableTask.Core.History.TaskScheduledEvent(i, "Bench.Step", "1", $"[\"{i}\"]"));
            Add(new DurableTask.Core.History.OrchestratorCompletedEvent(-1));
        }
        Add(new DurableTask.Core.History.OrchestratorStartedEvent(-1));
        Add(new DurableTask.Core.History.TaskCompletedEvent(-1, ReplayBenchmarks.Activities - 1, $"\"{ReplayBenchmarks.Activities}\""));
        if (events.Count != Events)
            throw new InvalidOperationException($"DurableTask history has {events.Count} events, expected {Events}.");
        return events;
    }

    public static byte[] Serialize(List<DtEvent> events) => Encoding.UTF8.GetBytes(Converter.Serialize(events));

    public static List<DtEvent> Parse(byte[] json) => (List<DtEvent>)Converter.Deserialize(Encoding.UTF8.GetString(json), typeof(List<DtEvent>));

    public static int Replay(List<DtEvent> events)
    {
        // The constructor takes past events; AddEvent adds new ones.
        var state = new OrchestrationRuntimeState(events.GetRange(0, events.Count - 2));
        state.AddEvent(events[^2]);
        state.AddEvent(events[^1]);
        var executor = new TaskOrchestrationExecutor(state, new Sequential(), BehaviorOnContinueAsNew.Carryover);
        var result = executor.Execute();
        var actions = result.Actions.ToList();
        if (actions is not [DurableTask.Core.Command.OrchestrationCompleteOrchestratorAction { OrchestrationStatus: OrchestrationStatus.Completed }])
            throw new InvalidOperationException("DurableTask's replay did not complete the orchestration: " + string.Join(", ", actions.Select(a => a.GetType().Name)));
        return events.Count;
    }
}
