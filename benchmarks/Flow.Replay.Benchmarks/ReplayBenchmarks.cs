using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Flow;
using Flow.Swf;
using Flow.Workflows;

namespace Flow.Replay.Benchmarks;

/// <summary>
/// Replays the full history of a 1,000-activity sequential workflow (6,005 events, as GetWorkflowExecutionHistory
/// returns it) from its SWF JSON: parse + replay, replay of parsed events, and a Utf8JsonReader pass over the
/// same bytes as the ceiling. Events per second = EventCount / mean; bytes per event = allocated / EventCount.
/// </summary>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    public const int Activities = 1000;
    private static readonly ActivityDefinition Step = new("Bench.Step", "1");
    private static readonly WorkflowHandler Handler = new(new WorkflowDefinition("Bench.Sequential", "1"), () => new Sequential());

    private byte[] _json = [];
    private History _parsed = new();

    public int EventCount { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _json = HistoryJson(Activities);
        _parsed = Parse(_json);
        EventCount = _parsed.Events.Count;
    }

    [Benchmark(Baseline = true, Description = "Utf8JsonReader over the JSON (parse-only ceiling)")]
    public int ReadTokens()
    {
        var reader = new Utf8JsonReader(_json);
        var tokens = 0;
        while (reader.Read())
            tokens++;
        return tokens;
    }

    [Benchmark(Description = "Parse SWF JSON (HistoryReader) + replay")]
    public int ReadAndReplay() => Replay(Read(_json));

    [Benchmark(Description = "Parse SWF JSON (SwfJsonContext) + replay")]
    public int ParseAndReplay() => Replay(Parse(_json));

    [Benchmark(Description = "Replay parsed events")]
    public int ReplayParsed() => Replay(_parsed);

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
