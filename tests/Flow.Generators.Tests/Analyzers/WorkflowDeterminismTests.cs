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
}
