namespace Flow.Generators.Tests.Analyzers;

public sealed class WorkflowDeterminismTests
{
    private const string Contract = """
        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task<string> RunAsync();
        }

        """;

    [Test]
    public async Task Deterministic_workflow_code_reports_nothing() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public async Task<string> RunAsync()
            {
                var now = Workflow.UtcNow;
                await Workflow.DelayAsync(TimeSpan.FromMinutes(5));
                var id = Workflow.NewGuid();
                var n = Workflow.Random.Next();
                var seeded = new Random(42).Next();
                await Task.WhenAll(Task.CompletedTask, Task.Yield().GetAwaiter().IsCompleted ? Task.CompletedTask : Task.CompletedTask);
                await Task.CompletedTask.ConfigureAwait(true);
                var parsed = DateTime.Parse("2020-01-01", System.Globalization.CultureInfo.InvariantCulture);
                return $"{now}{id}{n}{seeded}{parsed}";
            }
        }
        """);

    [Test]
    public async Task The_same_calls_outside_workflow_classes_report_nothing() => await AnalyzerTest.VerifyAsync(Contract + """
        [Activities]
        public partial interface IFiles { Task<string> ReadAsync(); }

        public sealed class Files : IFiles
        {
            public async Task<string> ReadAsync()
            {
                await Task.Delay(1).ConfigureAwait(false);
                return $"{DateTime.UtcNow}{Guid.NewGuid()}{new Random().Next()}";
            }
        }

        public static class Helper
        {
            public static Task Later() => Task.Run(() => Thread.Sleep(1));
        }
        """);

    [Test]
    public async Task Values_recorded_by_a_side_effect_are_not_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public async Task<string> RunAsync()
            {
                var stamp = await Workflow.SideEffectAsync(() => $"{DateTime.UtcNow:O}{Guid.NewGuid()}{new Random().Next()}");
                return stamp + {|FLOW051:Guid.NewGuid()|};
            }
        }
        """);

    [Test]
    public async Task Reading_the_clock_is_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public Task<string> RunAsync() =>
                Task.FromResult($"{{|FLOW050:DateTime.Now|}}{{|FLOW050:DateTime.UtcNow|}}{{|FLOW050:DateTime.Today|}}{{|FLOW050:DateTimeOffset.Now|}}{{|FLOW050:DateTimeOffset.UtcNow|}}");
        }
        """);

    [Test]
    public async Task The_clock_message_points_at_Workflow_UtcNow()
    {
        var diagnostics = await AnalyzerTest.DiagnosticsAsync(Contract + """
            public sealed class FileFlow : IFlow
            {
                public Task<string> RunAsync() => Task.FromResult(DateTime.UtcNow.ToString());
            }
            """);
        Assert.That(diagnostics.Single().GetMessage(), Does.Contain("Workflow.UtcNow"));
    }

    [Test]
    public async Task Creating_a_random_guid_is_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public Task<string> RunAsync() => Task.FromResult({|FLOW051:Guid.NewGuid()|}.ToString());
        }
        """);

    [Test]
    public async Task Local_delays_are_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public async Task<string> RunAsync()
            {
                await {|FLOW052:Task.Delay(TimeSpan.FromSeconds(1))|};
                {|FLOW052:Thread.Sleep(10)|};
                return "";
            }
        }
        """);

    [Test]
    public async Task Unseeded_random_numbers_are_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            private readonly Random _random = {|FLOW053:new Random()|};

            public Task<string> RunAsync() => Task.FromResult($"{_random.Next()}{{|FLOW053:Random.Shared|}.Next()}");
        }
        """);

    [Test]
    public async Task Work_sent_to_the_thread_pool_is_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public async Task<string> RunAsync()
            {
                await {|FLOW054:Task.Run(() => 1)|};
                await {|FLOW054:Task.Factory.StartNew(() => 2)|};
                {|FLOW054:ThreadPool.QueueUserWorkItem(_ => { })|};
                using var cts = new CancellationTokenSource();
                await {|FLOW054:cts.CancelAsync()|};
                cts.Cancel();
                return "";
            }
        }
        """);

    [Test]
    public async Task ConfigureAwait_false_is_reported_also_in_lambdas() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public async Task<string> RunAsync()
            {
                await {|FLOW055:Task.CompletedTask.ConfigureAwait(false)|};
                Func<Task> later = async () => await {|FLOW055:Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing)|};
                await later();
                await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
                return "";
            }
        }
        """);

    [Test]
    public async Task Blocking_on_a_task_is_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public Task<string> RunAsync()
            {
                var activity = Workflow.ExecuteActivityAsync(new ActivityDefinition("a", "1"), null);
                var timer = Workflow.DelayAsync(TimeSpan.FromMinutes(1));
                var first = {|FLOW056:activity.Result|};
                {|FLOW056:timer.Wait()|};
                {|FLOW056:timer.Wait(TimeSpan.FromSeconds(1))|};
                var second = {|FLOW056:activity.GetAwaiter().GetResult()|};
                {|FLOW056:timer.ConfigureAwait(true).GetAwaiter().GetResult()|};
                {|FLOW056:Task.WaitAll(activity, timer)|};
                var index = {|FLOW056:Task.WaitAny(activity, timer)|};
                ValueTask<int> value = new(1);
                var third = {|FLOW056:value.Result|};
                var fourth = {|FLOW056:value.GetAwaiter().GetResult()|};
                Func<string?> later = () => {|FLOW056:activity.Result|};
                return Task.FromResult($"{first}{second}{index}{third}{fourth}{later()}");
            }
        }
        """);

    [Test]
    public async Task Awaiting_and_reading_completion_do_not_count_as_blocking() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public async Task<string> RunAsync()
            {
                var activity = Workflow.ExecuteActivityAsync(new ActivityDefinition("a", "1"), null);
                await Task.WhenAll(activity, Workflow.DelayAsync(TimeSpan.FromMinutes(1)));
                await Task.Yield();
                var done = activity.IsCompleted && activity.GetAwaiter().IsCompleted;
                return $"{await activity}{done}";
            }
        }
        """);

    [Test]
    public async Task Blocking_outside_workflow_classes_is_not_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public static class Helper
        {
            public static string Read(Task<string> task) => task.Result + task.GetAwaiter().GetResult();
        }
        """);

    [Test]
    public async Task The_blocking_message_names_the_call_and_the_deadlock()
    {
        var diagnostics = await AnalyzerTest.DiagnosticsAsync(Contract + """
            public sealed class FileFlow : IFlow
            {
                public Task<string> RunAsync() => Task.FromResult(Workflow.ExecuteActivityAsync(new ActivityDefinition("a", "1"), null).Result ?? "");
            }
            """);
        Assert.That(diagnostics.Single().GetMessage(), Does.Contain("'Task.Result'"));
        Assert.That(diagnostics.Single().GetMessage(), Does.Contain("deadlock").And.Contain("await"));
    }
}
