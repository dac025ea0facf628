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
                return stamp + {|FLOW031:Guid.NewGuid()|};
            }
        }
        """);

    [Test]
    public async Task Reading_the_clock_is_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public Task<string> RunAsync() =>
                Task.FromResult($"{{|FLOW030:DateTime.Now|}}{{|FLOW030:DateTime.UtcNow|}}{{|FLOW030:DateTime.Today|}}{{|FLOW030:DateTimeOffset.Now|}}{{|FLOW030:DateTimeOffset.UtcNow|}}");
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
            public Task<string> RunAsync() => Task.FromResult({|FLOW031:Guid.NewGuid()|}.ToString());
        }
        """);

    [Test]
    public async Task Local_delays_are_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public async Task<string> RunAsync()
            {
                await {|FLOW032:Task.Delay(TimeSpan.FromSeconds(1))|};
                {|FLOW032:Thread.Sleep(10)|};
                return "";
            }
        }
        """);

    [Test]
    public async Task Unseeded_random_numbers_are_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            private readonly Random _random = {|FLOW033:new Random()|};

            public Task<string> RunAsync() => Task.FromResult($"{_random.Next()}{{|FLOW033:Random.Shared|}.Next()}");
        }
        """);

    [Test]
    public async Task Work_sent_to_the_thread_pool_is_reported() => await AnalyzerTest.VerifyAsync(Contract + """
        public sealed class FileFlow : IFlow
        {
            public async Task<string> RunAsync()
            {
                await {|FLOW034:Task.Run(() => 1)|};
                await {|FLOW034:Task.Factory.StartNew(() => 2)|};
                {|FLOW034:ThreadPool.QueueUserWorkItem(_ => { })|};
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
                await {|FLOW035:Task.CompletedTask.ConfigureAwait(false)|};
                Func<Task> later = async () => await {|FLOW035:Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing)|};
                await later();
                await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
                return "";
            }
        }
        """);
}
