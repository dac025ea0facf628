using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Flow;

/// <summary>The names under which Flow publishes traces (an <see cref="ActivitySource"/>) and metrics
/// (a <see cref="System.Diagnostics.Metrics.Meter"/>); subscribe to them with OpenTelemetry or dotnet-counters.</summary>
public static class FlowDiagnostics
{
    /// <summary>"Flow": the name of both the activity source and the meter.</summary>
    public const string Name = "Flow";

    internal static readonly ActivitySource Source = new(Name);
    internal static readonly Meter Meter = new(Name);

    internal static readonly Histogram<double> PollDuration = Meter.CreateHistogram<double>(
        "flow.poll.duration", "s", "Time a poll for a task took (long polls included).");

    internal static readonly Histogram<double> TaskDuration = Meter.CreateHistogram<double>(
        "flow.task.duration", "s", "Time from receiving a task to its response.");

    internal static readonly Counter<long> DecisionCacheHits = Meter.CreateCounter<long>(
        "flow.decision_cache.hits", "{task}", "Decision tasks served by a cached executor with only new events.");

    internal static readonly Counter<long> DecisionCacheMisses = Meter.CreateCounter<long>(
        "flow.decision_cache.misses", "{task}", "Decision tasks that needed a full replay.");

    internal static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "flow.failures", "{failure}", "Failed polls, responses, activity tasks and decision tasks, by kind.");

    internal static readonly Counter<long> SignalsNotDelivered = Meter.CreateCounter<long>(
        "flow.signals.not_delivered", "{signal}",
        "Signals a workflow did not deliver, by workflow type and reason: input (it does not decode into the handler's " +
        "parameters; the signal is named) or no_handler (an unknown name, not tagged: anyone can send any).");

    internal static void SignalNotDelivered(string workflowType, string? signal, string reason)
    {
        var tags = new TagList { { "workflow_type", workflowType }, { "reason", reason } };
        if (signal is not null)
            tags.Add("signal", signal);
        SignalsNotDelivered.Add(1, tags);
    }

    internal static void Fail(string kind, string taskList) =>
        Failures.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("task_list", taskList));
}
