using Flow;
using NUnit.Framework;

namespace Flow.Testing.Tests;

/// <summary>Contracts nested in a partial class, with declared defaults and params arrays, used end to end on the
/// local engine: the activity, child, external and run clients are called as the contract allows, leaving out
/// what has a default.</summary>
public static partial class Nested
{
    [Activities(Version = "1", TaskList = "nested-activities", ScheduleToStart = "00:05:00", StartToClose = "00:05:00",
        ScheduleToClose = "00:10:00", Heartbeat = "NONE")]
    public partial interface IFormatter
    {
        Task<string> FormatAsync(string text, int times = 2, string separator = "-", params string[] tags);
    }

    [Workflow(Version = "1", TaskList = "nested-decisions", ExecutionStartToClose = "01:00:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
    public partial interface IFormatting
    {
        [Execute]
        Task<string> RunAsync(string text, bool waitForSuffix = false, params string[] tags);

        [Signal]
        Task AppendAsync(string suffix, int times = 1);

        [GetState]
        string? Latest { get; }
    }

    [Workflow(Version = "1", TaskList = "nested-decisions", ExecutionStartToClose = "01:00:00", TaskStartToClose = "00:00:10", ChildPolicy = "TERMINATE")]
    internal partial interface IParent
    {
        [Execute]
        Task<string> RunAsync(string text);
    }

    private sealed class Formatter : IFormatter
    {
        public Task<string> FormatAsync(string text, int times = 2, string separator = "-", params string[] tags)
            => Task.FromResult(string.Join(separator, Enumerable.Repeat(text, times)) + (tags.Length == 0 ? "" : $"[{string.Join(",", tags)}]"));
    }

    private sealed class Formatting : IFormatting
    {
        private string? _suffix;

        public string? Latest { get; private set; }

        public async Task<string> RunAsync(string text, bool waitForSuffix = false, params string[] tags)
        {
            var formatter = new FormatterClient();
            Latest = await formatter.FormatAsync(text);
            var tagged = await formatter.FormatAsync(text, 1, "+", tags);
            if (waitForSuffix)
            {
                await Workflow.WaitConditionAsync(() => _suffix is not null);
            }

            return $"{Latest} {tagged}{_suffix}";
        }

        public Task AppendAsync(string suffix, int times = 1)
        {
            _suffix = string.Concat(Enumerable.Repeat(suffix, times));
            return Task.CompletedTask;
        }
    }

    private sealed class Parent : IParent
    {
        public Task<string> RunAsync(string text)
            => new FormattingChildClient(new ChildWorkflowOptions { WorkflowId = "child-of-" + Workflow.Info.Execution.WorkflowId }).RunAsync(text);
    }

    internal static WorkflowTestEnvironment Environment()
    {
        var env = new WorkflowTestEnvironment();
        env.AddWorkflow(FormattingDispatch.CreateHandler(() => new Formatting()));
        env.AddWorkflow(ParentDispatch.CreateHandler(() => new Parent()));
        env.AddActivities(FormatterDispatch.CreateHandlers(() => new Formatter()));
        return env;
    }
}

[Parallelizable(ParallelScope.All)]
public sealed class NestedContractTests
{
    [Test]
    public async Task Clients_called_with_their_defaults_and_params_arrays_run_end_to_end()
    {
        await using var env = Nested.Environment();

        var run = await new Nested.FormattingClient(env.Client).StartAsync("formatting", "ab", false, ["x", "y"]);

        Assert.That(await run.GetResultAsync(), Is.EqualTo("ab-ab ab[x,y]"));
        Assert.That(await run.GetStateAsync(), Is.EqualTo("ab-ab"));
    }

    [Test]
    public async Task A_signal_called_without_its_defaulted_argument_sends_the_declared_default()
    {
        await using var env = Nested.Environment();
        var run = await new Nested.FormattingClient(env.Client).StartAsync("signaled", "ab", true, []);
        await env.WaitIdleAsync();

        await run.AppendAsync("!");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("ab-ab ab!"));
    }

    [Test]
    public async Task A_child_started_without_its_defaulted_arguments_runs_with_the_declared_defaults()
    {
        await using var env = Nested.Environment();

        var run = await new Nested.ParentClient(env.Client).StartAsync("parent", "c");

        Assert.That(await run.GetResultAsync(), Is.EqualTo("c-c c"));
    }
}
