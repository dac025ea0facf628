using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Flow;
using Flow.Swf;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Flow.Testing.Tests;

[Workflow(Version = "1", TaskList = "test-decisions", ExecutionStartToClose = "01:00:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
public partial interface IPoked
{
    [Execute]
    Task<string> RunAsync(int pokes);

    [Signal]
    Task PokeAsync(int n);

    [Signal]
    Task NudgeAsync(string why = "no reason");

    [Signal]
    Task ResetAsync();
}

/// <summary>Input that does not decode (signals from anyone, a start input, an activity input) never harms more than its
/// own delivery: a signal is dropped and logged, a start input fails its run, an activity input its task.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class MalformedInputTests
{
    private sealed class PokedWorkflow : IPoked
    {
        private readonly List<string> _seen = [];
        private int _pokes;

        public async Task<string> RunAsync(int pokes)
        {
            await Workflow.WaitConditionAsync(() => _pokes >= pokes);
            return string.Join(",", _seen);
        }

        public Task PokeAsync(int n)
        {
            _pokes++;
            _seen.Add("poke " + n);
            return Task.CompletedTask;
        }

        public Task NudgeAsync(string why)
        {
            _seen.Add("nudge " + why);
            return Task.CompletedTask;
        }

        public Task ResetAsync()
        {
            _seen.Add("reset");
            return Task.CompletedTask;
        }
    }

    /// <summary>What the aws CLI lets anyone send as Poke's input (null: no --input at all).</summary>
    private static readonly string?[] BadPokes =
        ["{bad json", "null", """["notanint"]""", "[1.5]", "[null]", "[99999999999999999999]", null, "[]", "[1,2]", "\"7\"", "[1] x", """["ok" """];

    [Test]
    public async Task A_signal_whose_input_does_not_fit_its_handler_is_not_delivered_and_the_run_goes_on()
    {
        var logs = new CapturingLoggerFactory();
        var dropped = new ConcurrentBag<(string? Signal, string? Reason)>();
        using var meter = ListenForDroppedSignals("Poked.Run", dropped);
        await using var env = new WorkflowTestEnvironment(new WorkflowTestEnvironmentOptions { LoggerFactory = logs });
        env.AddWorkflow(PokedDispatch.CreateHandler(() => new PokedWorkflow()));
        var run = await new PokedClient(env.Client).StartAsync("poked", 2);

        foreach (var input in BadPokes)
            await env.SignalAsync(run.Execution, "Poke", input);
        await env.SignalAsync(run.Execution, "Reset", "[1]");
        await env.SignalAsync(run.Execution, "NoSuchSignal", "[1]");
        await env.SignalAsync(run.Execution, "Poke", "[7]");
        await env.SignalAsync(run.Execution, "Nudge", "[]");
        await env.SignalAsync(run.Execution, "Reset");
        await env.SignalAsync(run.Execution, "Poke", " [ 8 ] ");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("poke 7,nudge no reason,reset,poke 8"));
        var history = await env.GetHistoryAsync(run.Execution);
        var signaled = history.Where(e => e.EventType == EventType.WorkflowExecutionSignaled).ToList();
        var badIds = signaled.Take(BadPokes.Length + 1).Select(e => e.EventId).ToList();
        var errors = logs.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Message).ToList();
        Assert.That(errors, Has.Count.EqualTo(BadPokes.Length + 1), string.Join("\n", errors));
        for (int i = 0; i < BadPokes.Length; i++)
        {
            var error = errors.Single(m => m.Contains($"(history event {badIds[i]})", StringComparison.Ordinal));
            Assert.That(error, Does.StartWith("Signal Poke (history event").And.Contain("not delivered").And.Contain("Poked.Run"));
        }
        Assert.That(errors.Single(m => m.Contains($"(history event {badIds[^1]})", StringComparison.Ordinal)),
            Does.StartWith("Signal Reset").And.Contain("The input has 1 arguments; 0 are expected."));
        Assert.That(errors.Single(m => m.Contains($"(history event {badIds[8]})", StringComparison.Ordinal)), Does.Contain("The input has 2 arguments; 1 is expected."));
        Assert.That(errors.Single(m => m.Contains($"(history event {badIds[7]})", StringComparison.Ordinal)), Does.Contain("Argument 1 (Int32) is missing"));
        Assert.That(errors.Single(m => m.Contains($"(history event {badIds[2]})", StringComparison.Ordinal)), Does.Contain("Argument 1 does not read as Int32"));
        Assert.That(logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message), Has.One.Contains("no handler for signal NoSuchSignal"));
        Assert.That(dropped.Count(d => d is { Signal: "Poke", Reason: "input" }), Is.EqualTo(BadPokes.Length));
        Assert.That(dropped.Count(d => d is { Signal: "Reset", Reason: "input" }), Is.EqualTo(1));
        Assert.That(dropped.Count(d => d is { Signal: null, Reason: "no_handler" }), Is.EqualTo(1));
    }

    [Test]
    public async Task A_start_input_that_is_not_one_json_array_fails_the_run_with_the_reason()
    {
        await using var env = new WorkflowTestEnvironment(new WorkflowTestEnvironmentOptions { ReplayOnDispose = false });
        env.AddWorkflow(PokedDispatch.CreateHandler(() => new PokedWorkflow()));

        foreach (var (id, input) in new[] { ("unterminated", """["ok" """), ("trailing", "[1] [2]"), ("object", """{"pokes":1}""") })
        {
            var run = await env.Client.StartAsync(PokedDispatch.Definition, id, input);
            var failed = Assert.ThrowsAsync<WorkflowFailedException>(() => env.Client.GetResultAsync(run));
            Assert.That(failed!.Reason, Is.EqualTo("Flow.PayloadException"), id);
            Assert.That(failed.Details, Does.StartWith("The input is not"), id);
        }
    }

    [Test]
    public async Task An_activity_input_that_is_not_one_json_array_fails_the_task_with_the_reason()
    {
        await using var env = new WorkflowTestEnvironment(new WorkflowTestEnvironmentOptions { ReplayOnDispose = false });
        env.AddWorkflow(ScenarioDispatch.CreateHandler(() => new RawActivityWorkflow()));
        env.AddActivities(TestActivitiesDispatch.CreateHandlers(() => new QuickActivities()));

        var result = await new ScenarioClient(env.Client).StartAsync("raw-activity", """["unterminated" """).ContinueWith(t => t.Result.GetResultAsync()).Unwrap();

        Assert.That(result, Does.StartWith("Flow.PayloadException: The input is not one JSON array of arguments"));
    }

    /// <summary>Sends its own input, as is, to TestActivities.Echo.</summary>
    private sealed class RawActivityWorkflow : IScenario
    {
        public async Task<string> RunAsync(string scenario)
        {
            try
            {
                return await Workflow.ExecuteActivityAsync(TestActivitiesDispatch.Echo, scenario) ?? "";
            }
            catch (ActivityFailedException ex)
            {
                return ex.Reason + ": " + ex.ErrorMessage;
            }
        }
    }

    private static MeterListener ListenForDroppedSignals(string workflowType, ConcurrentBag<(string?, string?)> dropped)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == FlowDiagnostics.Name && instrument.Name == "flow.signals.not_delivered")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? type = null, signal = null, reason = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "workflow_type": type = tag.Value as string; break;
                    case "signal": signal = tag.Value as string; break;
                    case "reason": reason = tag.Value as string; break;
                }
            }
            if (type == workflowType)
                for (long i = 0; i < value; i++)
                    dropped.Add((signal, reason));
        });
        listener.Start();
        return listener;
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void AddProvider(ILoggerProvider provider) { }
        public void Dispose() { }

        private sealed class Logger(CapturingLoggerFactory owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                    owner.Entries.Enqueue((logLevel, formatter(state, exception)));
            }
        }
    }
}
