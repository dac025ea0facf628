using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Flow;
using Flow.Swf;
using Flow.Workflows;

namespace Flow.Replay.Benchmarks;

/// <summary>
/// Replays the full history of a 1,000-activity sequential workflow (6,005 events, as GetWorkflowExecutionHistory
/// returns it) from its SWF JSON: parse + replay, replay of parsed events, and a Utf8JsonReader pass over the
/// same bytes as the ceiling; Temporalio's and DurableTask's replayers on the same workflow shape. Every benchmark
/// reports per history event (OperationsPerInvoke): events/s = 1e9 / Mean(ns), bytes/event = Allocated.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ReplayBenchmarks
{
    public const int Activities = 1000;
    private static readonly ActivityDefinition Step = new("Bench.Step", "1");
    private static readonly WorkflowHandler Handler = new(new WorkflowDefinition("Bench.Sequential", "1"), () => new Sequential());

    /// <summary>Events in Flow's history (checked in Setup); each benchmark's figures are per event
    /// (OperationsPerInvoke), so Mean is ns/event and Allocated is bytes/event.</summary>
    public const int Events = 6005;

    private byte[] _json = [];
    private History _parsed = new();
    private Temporalio.Worker.WorkflowReplayer _temporal = null!;
    private Temporalio.Common.WorkflowHistory _temporalHistory = null!;
    private string _temporalJson = "";
    private List<DurableTask.Core.History.HistoryEvent> _durable = [];
    private byte[] _durableJson = [];

    [GlobalSetup]
    public void Setup()
    {
        _json = HistoryJson(Activities);
        _parsed = Parse(_json);
        if (_parsed.Events.Count != Events)
            throw new InvalidOperationException($"Flow's history has {_parsed.Events.Count} events, expected {Events}.");
        _temporal = TemporalPeer.Replayer();
        _temporalHistory = TemporalPeer.History();
        _temporalJson = _temporalHistory.ToJson();
        _durable = DurableTaskPeer.History();
        _durableJson = DurableTaskPeer.Serialize(_durable);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events, Description = "Flow: Utf8JsonReader over the JSON (parse-only ceiling)")]
    public int ReadTokens()
    {
        var reader = new Utf8JsonReader(_json);
        var tokens = 0;
        while (reader.Read())
            tokens++;
        return tokens;
    }

    [Benchmark(OperationsPerInvoke = Events, Description = "Flow: parse SWF JSON (HistoryReader) + replay")]
    public int ReadAndReplay() => Replay(Read(_json));

    [Benchmark(OperationsPerInvoke = Events, Description = "Flow: parse SWF JSON (HistoryReader) only")]
    public int ReadOnly() => Read(_json).Events.Count;

    [Benchmark(OperationsPerInvoke = Events, Description = "Flow: parse SWF JSON (SwfJsonContext) + replay")]
    public int ParseAndReplay() => Replay(Parse(_json));

    [Benchmark(OperationsPerInvoke = Events, Description = "Flow: replay parsed events")]
    public int ReplayParsed() => Replay(_parsed);

    [Benchmark(OperationsPerInvoke = TemporalPeer.Events, Description = "Temporalio 1.22.0: FromJson + WorkflowReplayer")]
    public Task<int> TemporalParseAndReplay() =>
        TemporalPeer.ReplayAsync(_temporal, Temporalio.Common.WorkflowHistory.FromJson("bench", _temporalJson));

    [Benchmark(OperationsPerInvoke = TemporalPeer.Events, Description = "Temporalio 1.22.0: WorkflowReplayer on built history")]
    public Task<int> TemporalReplay() => TemporalPeer.ReplayAsync(_temporal, _temporalHistory);

    [Benchmark(OperationsPerInvoke = DurableTaskPeer.Events, Description = "DurableTask.Core 3.11.3: Newtonsoft parse + TaskOrchestrationExecutor")]
    public int DurableParseAndReplay() => DurableTaskPeer.Replay(DurableTaskPeer.Parse(_durableJson));

    [Benchmark(OperationsPerInvoke = DurableTaskPeer.Events, Description = "DurableTask.Core 3.11.3: TaskOrchestrationExecutor on built history")]
    public int DurableReplay() => DurableTaskPeer.Replay(_durable);

    public static History Parse(byte[] json) => JsonSerializer.Deserialize(json, SwfJsonContext.Default.History)!;

    public static History Read(byte[] json) => HistoryReader.ReadHistory(json);

    public static int Replay(History history)
    {
        var executor = new WorkflowExecutor("bench", Handler);
        var result = executor.ProcessDecisionTask(new DecisionTask
        {
            TaskToken = "bench",
            WorkflowExecution = new() { WorkflowId = "bench", RunId = "run" },
            WorkflowType = Handler.Definition.ToWorkflowType(),
            Events = history.Events,
        });
        if (result.Decisions.Count != 0 || executor.LastAppliedEventId != history.Events.Count)
            throw new InvalidOperationException("The benchmark history did not replay cleanly.");
        return result.Decisions.Count;
    }

    private sealed class Sequential : IWorkflowInstance
    {
        public async Task<string?> ExecuteAsync(string? input)
        {
            var value = input;
            for (var i = 0; i < Activities; i++)
                value = await Workflow.ExecuteActivityAsync(Step, value);
            return value;
        }

        public Task? HandleSignal(string signalName, string? input) => null;
        public string? GetState() => null;
    }

    /// <summary>The history SWF records for <see cref="Sequential"/>: each activity in its own decision.</summary>
    public static byte[] HistoryJson(int activities)
    {
        var events = new List<HistoryEvent>();
        var clock = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        HistoryEvent Add(EventType type)
        {
            var e = new HistoryEvent { EventId = events.Count + 1, EventType = type, EventTimestamp = clock };
            clock = clock.AddMilliseconds(137);
            events.Add(e);
            return e;
        }
        var taskList = new TaskList { Name = "bench" };
        Add(EventType.WorkflowExecutionStarted).WorkflowExecutionStartedEventAttributes = new()
        {
            Input = "\"0\"", WorkflowType = Handler.Definition.ToWorkflowType(), TaskList = taskList, ChildPolicy = ChildPolicy.Terminate,
            ExecutionStartToCloseTimeout = "86400", TaskStartToCloseTimeout = "60", ParentInitiatedEventId = 0,
        };
        long completed = 0;
        void Decision()
        {
            var scheduled = Add(EventType.DecisionTaskScheduled);
            scheduled.DecisionTaskScheduledEventAttributes = new() { TaskList = taskList, StartToCloseTimeout = "60" };
            var started = Add(EventType.DecisionTaskStarted);
            started.DecisionTaskStartedEventAttributes = new() { ScheduledEventId = scheduled.EventId, Identity = "host:1234" };
            var done = Add(EventType.DecisionTaskCompleted);
            done.DecisionTaskCompletedEventAttributes = new() { ScheduledEventId = scheduled.EventId, StartedEventId = started.EventId };
            completed = done.EventId;
        }
        var value = "\"0\"";
        for (var i = 1; i <= activities; i++)
        {
            Decision();
            var scheduled = Add(EventType.ActivityTaskScheduled);
            scheduled.ActivityTaskScheduledEventAttributes = new()
            {
                ActivityId = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ActivityType = Step.ToActivityType(), Input = value, TaskList = taskList,
                DecisionTaskCompletedEventId = completed, ScheduleToCloseTimeout = "NONE", ScheduleToStartTimeout = "NONE", StartToCloseTimeout = "600", HeartbeatTimeout = "NONE",
            };
            var started = Add(EventType.ActivityTaskStarted);
            started.ActivityTaskStartedEventAttributes = new() { ScheduledEventId = scheduled.EventId, Identity = "host:4321" };
            value = $"\"{i}\"";
            Add(EventType.ActivityTaskCompleted).ActivityTaskCompletedEventAttributes = new()
            { ScheduledEventId = scheduled.EventId, StartedEventId = started.EventId, Result = value };
        }
        Decision();
        Add(EventType.WorkflowExecutionCompleted).WorkflowExecutionCompletedEventAttributes = new() { Result = value, DecisionTaskCompletedEventId = completed };
        return JsonSerializer.SerializeToUtf8Bytes(new History { Events = events }, SwfJsonContext.Default.History);
    }
}
