namespace Flow.Generators.Tests.Analyzers;

public sealed class SwfTypeTests
{
    private static readonly string s_longPrefix = new('P', 250);

    [Test]
    public async Task Names_SWF_would_reject_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities(NamePrefix = {|FLOW021:"Files|Main"|})]
        public partial interface IFiles
        {
            [Activity(Name = {|FLOW021:"files:read"|})] Task ReadAsync();
            [Activity(Name = {|FLOW021:"arn"|})] Task WriteAsync();
            [Activity(Name = {|FLOW021:""|})] Task DeleteAsync();
            Task CopyAsync();
        }

        [Workflow(Name = {|FLOW021:"flow\u0001"|})]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
            [Signal(Name = {|FLOW021:"stop/now"|})] Task StopAsync();
        }
        """);

    [Test]
    public async Task A_default_activity_name_that_grows_too_long_is_reported() => await AnalyzerTest.VerifyAsync($$"""
        [Activities(NamePrefix = "{{s_longPrefix}}")]
        public partial interface IFiles
        {
            Task {|FLOW021:DownloadAsync|}();
            Task Up();
        }
        """);

    [Test]
    public async Task A_default_workflow_name_that_grows_too_long_is_reported() => await AnalyzerTest.VerifyAsync($$"""
        [Workflow]
        public partial interface {|FLOW021:I{{new string('W', 255)}}|}
        {
            [Execute] Task RunAsync();
        }
        """);

    [Test]
    public async Task The_message_for_a_default_name_says_which_attribute_overrides_it()
    {
        var diagnostics = await AnalyzerTest.DiagnosticsAsync($$"""
            [Activities(NamePrefix = "{{s_longPrefix}}")]
            public partial interface IFiles { Task DownloadAsync(); }
            """);
        Assert.That(diagnostics.Single().GetMessage(), Does.Contain("[Activity(Name = \"...\")]").And.Contain("259 characters"));
    }

    [Test]
    public async Task Versions_SWF_would_reject_are_reported() => await AnalyzerTest.VerifyAsync($$"""
        [Activities(Version = {|FLOW022:""|})]
        public partial interface IFiles
        {
            [Activity(Version = {|FLOW022:"1:0"|})] Task ReadAsync();
            [Activity(Version = {|FLOW022:"{{new string('9', 65)}}"|})] Task WriteAsync();
            [Activity(Version = "{{new string('9', 64)}}")] Task CopyAsync();
        }

        [Workflow(Version = {|FLOW022:"arn"|})]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
        }
        """);

    [Test]
    public async Task Task_lists_SWF_would_reject_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities(TaskList = {|FLOW023:"files|fast"|})]
        public partial interface IFiles
        {
            [Activity(TaskList = {|FLOW023:""|})] Task ReadAsync();
        }

        [Workflow(TaskList = {|FLOW023:"a/b"|})]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
        }
        """);

    [Test]
    public async Task Timeouts_that_do_not_parse_or_exceed_SWF_limits_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities(StartToClose = {|FLOW024:"600"|}, Heartbeat = {|FLOW024:"soon"|}, ScheduleToStart = {|FLOW024:"none"|}, ScheduleToClose = "NONE")]
        public partial interface IFiles
        {
            [Activity(StartToClose = {|FLOW024:"-00:00:01"|}, Heartbeat = {|FLOW024:"00:00:01.5"|}, ScheduleToClose = {|FLOW024:"1200.00:00:00"|})]
            Task ReadAsync();
            [Activity(StartToClose = "1157.09:46:39", Heartbeat = "00:00:00")]
            Task WriteAsync();
        }

        [Workflow(ExecutionStartToClose = {|FLOW024:"NONE"|}, TaskStartToClose = "NONE")]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
        }

        [Workflow(ExecutionStartToClose = {|FLOW024:"366.00:00:00"|}, TaskStartToClose = {|FLOW024:"25:00:00"|})]
        public partial interface IFlow2
        {
            [Execute] Task RunAsync();
        }
        """);

    [Test]
    public async Task A_bare_number_timeout_is_explained_as_days()
    {
        var diagnostics = await AnalyzerTest.DiagnosticsAsync("""
            [Activities(StartToClose = "30")]
            public partial interface IFiles { Task ReadAsync(); }
            """);
        Assert.That(diagnostics.Single().GetMessage(), Does.Contain("\"00:10:00\"").And.Contain("days"));
    }

    [Test]
    public async Task An_unknown_child_policy_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow(ChildPolicy = {|FLOW025:"terminate"|})]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
        }

        [Workflow(ChildPolicy = "ABANDON")]
        public partial interface IFlow2
        {
            [Execute] Task RunAsync();
        }
        """);

    [Test]
    public async Task Two_signals_with_one_name_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
            [Signal(Name = {|FLOW026:"Stop"|})] Task HaltAsync();
            [Signal] Task {|FLOW026:StopAsync|}();
            [Signal(Name = "stop")] Task EndAsync();
        }
        """);

    [Test]
    public async Task Two_contracts_declaring_one_activity_type_are_reported_at_both() => await AnalyzerTest.VerifyAsync(
        """
        [Activities(NamePrefix = "Shared")]
        public partial interface IFirst
        {
            Task {|FLOW027:RunAsync|}();
            [Activity(Version = "2")] Task StopAsync();
        }
        """,
        """
        [Activities]
        public partial interface ISecond
        {
            [Activity(Name = {|FLOW027:"Shared.Run"|})] Task GoAsync();
            [Activity(Name = "Shared.Stop")] Task HaltAsync();
        }
        """);

    [Test]
    public async Task Two_workflows_with_one_name_and_version_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow(Name = {|FLOW027:"Orders.Run"|})]
        public partial interface IShop { [Execute] Task StartAsync(); }

        [Workflow]
        public partial interface {|FLOW027:IOrders|} { [Execute] Task RunAsync(); }

        [Workflow(Name = "Orders.Run", Version = "2")]
        public partial interface IOrdersNext { [Execute] Task RunAsync(); }

        [Activities(NamePrefix = "Orders")]
        public partial interface IOrderActivities { Task RunAsync(); }
        """);

    [Test]
    public async Task An_invalid_version_never_counts_as_a_duplicate() => await AnalyzerTest.VerifyAsync("""
        [Activities(NamePrefix = "Shared")]
        public partial interface IFirst
        {
            [Activity(Version = {|FLOW022:"1:0"|})] Task RunAsync();
            [Activity(Name = "Shared.Run", Version = {|FLOW022:"1:0"|})] Task GoAsync();
        }
        """);

    [Test]
    public async Task A_description_longer_than_SWF_allows_is_reported() => await AnalyzerTest.VerifyAsync($$"""
        [Activities]
        public partial interface IFiles
        {
            [Activity(Description = {|FLOW028:"{{new string('d', 1025)}}"|})] Task ReadAsync();
            [Activity(Description = "{{new string('d', 1024)}}")] Task WriteAsync();
        }

        [Workflow(Description = {|FLOW028:"{{new string('d', 2000)}}"|})]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
        }
        """);

    [Test]
    public async Task The_duplicate_message_names_the_other_contract()
    {
        var diagnostics = await AnalyzerTest.DiagnosticsAsync("""
            [Workflow(Name = "Orders.Run")]
            public partial interface IOrders { [Execute] Task StartAsync(); }

            [Workflow(Name = "Orders.Run")]
            public partial interface IMoreOrders { [Execute] Task StartAsync(); }
            """);
        Assert.That(diagnostics.Select(d => d.GetMessage()), Is.EquivalentTo(new[]
        {
            "Workflow type \"Orders.Run\" version \"1.0\" is also declared by 'IOrders'; give one of them another name or version",
            "Workflow type \"Orders.Run\" version \"1.0\" is also declared by 'IMoreOrders'; give one of them another name or version",
        }));
    }
}
