using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Flow.Swf;
using Flow.Workflows;
using Microsoft.Extensions.Logging;

namespace Flow.Testing;

/// <summary>Where workflow code and a history part ways: the event, what the history records there, what the code asked for.</summary>
public sealed record ReplayDivergence(long? EventId, string History, string Code, string Message)
{
    public override string ToString() => Message;
}

/// <summary>The outcome of replaying one history.</summary>
public sealed record ReplayResult
{
    /// <summary>The file the history came from, when it came from one.</summary>
    public string? Source { get; init; }

    public WorkflowExecution Execution { get; init; } = new();
    public WorkflowType? WorkflowType { get; init; }
    public int EventCount { get; init; }

    /// <summary>The first place the code disagrees with the history (non-determinism).</summary>
    public ReplayDivergence? Divergence { get; init; }

    /// <summary>Anything else that stopped the replay: an unreadable history, no handler, an unsupported feature (Lambda tasks).</summary>
    public Exception? Error { get; init; }

    /// <summary>When the history ends with a decision task in progress: the decisions the code makes for it now.</summary>
    public IReadOnlyList<Decision> NextDecisions { get; init; } = [];

    public bool Succeeded => Divergence is null && Error is null;

    public string Describe()
    {
        var what = Source ?? $"{Execution.WorkflowId} ({Execution.RunId})";
        if (Divergence is { } d)
            return $"{what}: {d.Message}";
        if (Error is { } e)
            return $"{what}: {e.GetType().Name}: {e.Message}";
        return $"{what}: replayed {EventCount} events";
    }

    /// <summary>Throws <see cref="WorkflowReplayException"/> unless the replay succeeded.</summary>
    public void ThrowIfFailed()
    {
        if (!Succeeded)
            throw new WorkflowReplayException([this]);
    }
}

/// <summary>
/// Replays recorded histories (GetWorkflowExecutionHistory bodies, <c>aws swf get-workflow-execution-history</c> output,
/// <see cref="WorkflowClient.GetHistoryJsonAsync"/> exports) against the current workflow code, the way a worker
/// does when it has no cached state: a fresh <see cref="WorkflowExecutor"/> applies the whole history, and every
/// decision the code makes must match the events that followed the decision task it belongs to.
/// </summary>
public sealed partial class WorkflowReplayer
{
    private readonly Dictionary<(string Name, string Version), WorkflowHandler> _handlers = [];

    public WorkflowReplayer(IEnumerable<WorkflowHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        foreach (var h in handlers)
            _handlers[(h.Definition.Name, h.Definition.Version)] = h;
        if (_handlers.Count == 0)
            throw new ArgumentException("Give the replayer at least one workflow handler.", nameof(handlers));
    }

    public WorkflowReplayer(params WorkflowHandler[] handlers) : this((IEnumerable<WorkflowHandler>)handlers)
    {
    }

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>See <see cref="ReplayOptions.DeadlockDetectionTimeout"/>.</summary>
    public TimeSpan DeadlockDetectionTimeout { get; init; } = new ReplayOptions().DeadlockDetectionTimeout;

    /// <summary>The domain the replayed code sees in <see cref="Workflow.Info"/>.</summary>
    public string Domain { get; init; } = "replay";

    /// <summary>Reads a history document: <c>{"events":[...]}</c>, with <c>eventTimestamp</c> as epoch seconds (SWF's wire
    /// format, aws-cli v1) or ISO 8601 strings (aws-cli v2's default). An optional top-level <c>"workflowExecution":
    /// {"workflowId","runId"}</c> (not part of SWF's response) names the run; see <see cref="Replay"/>.</summary>
    public static (List<HistoryEvent> Events, WorkflowExecution? Execution) ParseHistory(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("A history document is a JSON object: {\"events\":[...]}.");
        if (root["events"] is not JsonArray events)
            throw new FormatException("A history document has an \"events\" array: {\"events\":[...]}.");
        for (int i = 0; i < events.Count; i++)
        {
            // What deserializing would fill in silently: an absent eventType reads as the enum's first member, an absent eventId as 0.
            if (events[i] is not JsonObject e)
                throw new FormatException($"Entry {i + 1} of \"events\" is {(events[i] is null ? "null" : "not an object")}; each event is an object.");
            if (e["eventId"] is null || e["eventType"] is null)
                throw new FormatException($"Entry {i + 1} of \"events\" has no {(e["eventId"] is null ? "eventId" : "eventType")}.");
            if (e["eventTimestamp"] is JsonValue stamp && stamp.GetValueKind() == JsonValueKind.String)
                e["eventTimestamp"] = EpochSeconds(stamp.GetValue<string>(), e["eventId"]);
        }
        var history = root.Deserialize(SwfJsonContext.Default.History) ?? throw new FormatException("The history document is empty.");
        var execution = root["workflowExecution"] is JsonObject run ? run.Deserialize(SwfJsonContext.Default.WorkflowExecution) : null;
        return (history.Events, execution);
    }

    /// <summary>aws-cli v2 prints timestamps as ISO 8601 in the local offset ("2026-12-04T00:20:06.731000-05:00"); some
    /// tools quote epoch seconds. Either becomes SWF's epoch seconds, to the millisecond SWF records.</summary>
    private static double EpochSeconds(string text, JsonNode? eventId)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return seconds;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return time.ToUnixTimeMilliseconds() / 1000d;
        throw new FormatException($"The eventTimestamp of event {eventId?.ToJsonString() ?? "?"} is \"{text}\": neither epoch seconds nor an ISO 8601 time.");
    }

    /// <summary>Replays a history document (see <see cref="ParseHistory"/>).</summary>
    public ReplayResult ReplayJson(string json, WorkflowExecution? execution = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        List<HistoryEvent> events;
        WorkflowExecution? named;
        try
        {
            (events, named) = ParseHistory(json);
        }
        catch (Exception ex)
        {
            // Whatever the document holds, the answer is a failed result, never an exception.
            return new ReplayResult { Source = source, Error = new FormatException($"Not a readable history: {ex.Message}", ex) };
        }
        return Replay(events, execution ?? named) with { Source = source };
    }

    /// <summary>Replays every <c>*.json</c> file of a folder (sorted by name); one result per file.</summary>
    public IReadOnlyList<ReplayResult> ReplayFolder(string folder, string searchPattern = "*.json")
    {
        var results = new List<ReplayResult>();
        foreach (var file in Directory.GetFiles(folder, searchPattern).Order(StringComparer.Ordinal))
            results.Add(ReplayJson(File.ReadAllText(file), source: file));
        return results;
    }

    /// <summary>
    /// Replays one run's events. Pass the run's <paramref name="execution"/> when you know it: the run id seeds
    /// <see cref="Workflow.Random"/> and <see cref="Workflow.NewGuid"/> and names child workflows, so code that uses
    /// them replays exactly only with the real one. Without it, the run id comes from the first child Flow named
    /// ("{runId}.1"), else "replay".
    /// </summary>
    public ReplayResult Replay(IReadOnlyList<HistoryEvent> events, WorkflowExecution? execution = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (Malformed(events) is { } malformed)
            return new ReplayResult { Execution = execution ?? new WorkflowExecution { WorkflowId = "replay", RunId = "replay" }, EventCount = events.Count,
                Error = new FormatException(malformed) };
        var ordered = events.OrderBy(e => e.EventId).ToList();
        execution ??= new WorkflowExecution { WorkflowId = "replay", RunId = InferredRunId(ordered) ?? "replay" };
        var result = new ReplayResult { Execution = execution, EventCount = ordered.Count };
        if (ordered[0].EventType != EventType.WorkflowExecutionStarted)
            return result with { Error = new FormatException("A history starts with WorkflowExecutionStarted (event 1).") };
        var type = ordered[0].WorkflowExecutionStartedEventAttributes!.WorkflowType;
        result = result with { WorkflowType = type };
        if (!_handlers.TryGetValue((type.Name, type.Version), out var handler))
        {
            if (_handlers.Count != 1)
                return result with
                {
                    Error = new InvalidOperationException(
                        $"No workflow handler for {type.Name} {type.Version}; the replayer knows {string.Join(", ", _handlers.Keys.Select(k => $"{k.Name} {k.Version}"))}."),
                };
            handler = _handlers.Values.First(); // one handler: replay with it whatever the recorded type name
        }

        // The decision task still in progress at the end of the history, if any: the code answers it live.
        long open = OpenDecision(ordered);
        var taskEvents = open > 0 ? ordered.TakeWhile(e => e.EventId <= open).ToList() : ordered;
        var executor = new WorkflowExecutor(Domain, handler, new ReplayOptions { LoggerFactory = LoggerFactory, DeadlockDetectionTimeout = DeadlockDetectionTimeout });
        try
        {
            // Watched, so workflow code that blocks is reported (WorkflowDeadlockException) instead of hanging the caller.
            var decided = executor.ProcessDecisionTaskAsync(new DecisionTask
            {
                TaskToken = "replay",
                StartedEventId = open,
                WorkflowExecution = execution,
                WorkflowType = type,
                Events = taskEvents,
                PreviousStartedEventId = 0,
            }).GetAwaiter().GetResult();
            return result with { NextDecisions = decided.Decisions };
        }
        catch (NonDeterminismException ex)
        {
            return result with { Divergence = Diverged(ex.Message, ordered) };
        }
        catch (Exception ex)
        {
            return result with { Error = ex };
        }
    }

    /// <summary>What makes <paramref name="events"/> no SWF history, or null: SWF numbers a run's events 1..n, one each, and
    /// every event carries the attributes its type names.</summary>
    private static string? Malformed(IReadOnlyList<HistoryEvent?> events)
    {
        if (events.Count == 0)
            return "The history has no events; it starts with WorkflowExecutionStarted (event 1).";
        for (int i = 0; i < events.Count; i++)
        {
            if (events[i] is null)
                return $"Entry {i + 1} of the events is null.";
        }
        var ids = events.Select(e => e!.EventId).Order().ToList();
        for (int i = 0; i < ids.Count; i++)
        {
            if (ids[i] == i + 1)
                continue;
            string why = i > 0 && ids[i] == ids[i - 1] ? $"event id {ids[i]} appears more than once"
                : i == 0 ? $"the first event id is {ids[0]}"
                : $"event id {i + 1} is missing (after {ids[i - 1]} comes {ids[i]})";
            return $"The history's event ids must run 1..{ids.Count}, one per event, but {why}.";
        }
        foreach (var e in events.OrderBy(e => e!.EventId))
        {
            if (!e!.HasOwnAttributes)
            {
                string name = FailureText.Swf(e.EventType);
                return $"Event {e.EventId} ({name}) has no {char.ToLowerInvariant(name[0])}{name[1..]}EventAttributes.";
            }
        }
        return null;
    }

    /// <summary>Replays and throws <see cref="WorkflowReplayException"/> on a divergence or error.</summary>
    public void EnsureReplays(IReadOnlyList<HistoryEvent> events, WorkflowExecution? execution = null) =>
        Replay(events, execution).ThrowIfFailed();

    /// <summary>A history does not name its own run, but Flow names children "{runId}.{n}": the first such child gives
    /// it back, so histories without the run (aws CLI output) replay children under the ids they were started with.</summary>
    private static string? InferredRunId(List<HistoryEvent> events)
    {
        foreach (var e in events)
        {
            if (e.StartChildWorkflowExecutionInitiatedEventAttributes is { } a)
            {
                var dot = a.WorkflowId.LastIndexOf('.');
                if (dot > 0 && a.WorkflowId.AsSpan(dot + 1) is "1")
                    return a.WorkflowId[..dot];
            }
        }
        return null;
    }

    private static long OpenDecision(List<HistoryEvent> events)
    {
        long started = 0;
        foreach (var e in events)
        {
            switch (e.EventType)
            {
                case EventType.DecisionTaskStarted: started = e.EventId; break;
                case EventType.DecisionTaskCompleted when e.DecisionTaskCompletedEventAttributes!.StartedEventId == started: started = 0; break;
                case EventType.DecisionTaskTimedOut when e.DecisionTaskTimedOutEventAttributes!.StartedEventId == started: started = 0; break;
            }
        }
        return started;
    }

    private static ReplayDivergence Diverged(string message, List<HistoryEvent> events)
    {
        var id = EventIdPattern().Match(message) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : (long?)null;
        var recorded = id is { } i ? events.Find(e => e.EventId == i) : null;
        string history = recorded is null ? "(no event)" : HistoryText.Describe(recorded);
        string code = CodePattern().Match(message) is { Success: true } c ? c.Groups[1].Value
            : message.Contains("made no such decision", StringComparison.Ordinal) ? "no decision" : message;
        if (message.Contains("records no such decision", StringComparison.Ordinal))
        {
            // The code asked for more than the decision recorded: the "history" side is the end of that decision.
            history = recorded is null ? "no further decision" : $"no further decision after {HistoryText.Describe(recorded)}";
            code = AskedPattern().Match(message) is { Success: true } a ? a.Groups[1].Value : code;
        }
        return new ReplayDivergence(id, history, code, message);
    }

    [GeneratedRegex(@"[Hh]istory event (\d+)")]
    private static partial Regex EventIdPattern();

    [GeneratedRegex(@"but the workflow code asked for (.+?)\. Did")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"The workflow code asked for (.+?) in the decision")]
    private static partial Regex AskedPattern();
}
