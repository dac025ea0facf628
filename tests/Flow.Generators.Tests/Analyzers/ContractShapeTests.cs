namespace Flow.Generators.Tests.Analyzers;

public sealed class ContractShapeTests
{
    /// <summary>A realistic pair of contracts using every allowed shape; it must report nothing.</summary>
    internal const string ValidContracts = """
        namespace Shop;

        public record Job(string Path);
        public record Report(string Sha);
        public record Progress(string Stage, long Bytes);

        [Activities(Version = "1.0", TaskList = "files", StartToClose = "00:10:00", Heartbeat = "00:00:30", ScheduleToStart = "NONE")]
        public partial interface IFileActivities
        {
            const string Bucket = "out";

            [Activity(StartToClose = "1.00:00:00", Name = "Files.Fetch", Version = "2")]
            Task<string> DownloadAsync(Uri source, CancellationToken cancellationToken);
            Task UploadAsync(string path, string bucket);
            Task<byte[]> DeleteAsync(params string[] paths);
            Task<IReadOnlyList<int?>> CountAsync(Dictionary<string, DateTimeOffset> seen, int? limit);
        }

        [Workflow(Version = "2", TaskList = "deciders", ExecutionStartToClose = "30.00:00:00", TaskStartToClose = "NONE", ChildPolicy = "REQUEST_CANCEL")]
        public partial interface IFileProcessing
        {
            [Execute] Task<Report> RunAsync(Job job);
            [Signal] Task CancelAsync(string reason);
            [Signal(Name = "Pause")] void Hold();
            [GetState] Progress Status { get; }
        }

        [Workflow]
        public partial interface ICleanup
        {
            [Execute] Task CleanAsync();
            [GetState] string Describe();
        }

        public static partial class Contracts
        {
            [Activities]
            public partial interface INested
            {
                Task PingAsync();
            }
        }
        """;

    [Test]
    public async Task Valid_contracts_report_nothing() => await AnalyzerTest.VerifyAsync(ValidContracts);

    [Test]
    public async Task Code_without_contracts_reports_nothing() => await AnalyzerTest.VerifyAsync("""
        public interface IPlain { int Count(ref int x); }
        public class Plain { public void Run<T>() { } }
        """);

    [Test]
    public async Task A_contract_that_is_not_partial_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public interface {|FLOW001:IFiles|}
        {
            Task RunAsync();
        }
        """);

    [Test]
    public async Task A_nested_contract_in_a_type_that_is_not_partial_is_reported()
    {
        const string source = """
            public static class Outer
            {
                [Workflow]
                public partial interface {|FLOW001:IFlow|}
                {
                    [Execute] Task RunAsync();
                }
            }
            """;
        await AnalyzerTest.VerifyAsync(source);
        var diagnostics = await AnalyzerTest.DiagnosticsAsync(source.Replace("{|FLOW001:", "").Replace("|}", ""));
        Assert.That(diagnostics.Single().GetMessage(), Does.Contain("containing type 'Outer'"));
    }

    [Test]
    public async Task A_contract_attribute_on_a_class_is_reported() => await AnalyzerTest.VerifyWithCompilerErrorsAsync("""
        [Workflow]
        public partial class {|FLOW002:Flows|}
        {
        }
        """);

    [Test]
    public async Task A_generic_contract_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public partial interface {|FLOW003:IStore|}<T>
        {
            Task SaveAsync(T value);
        }
        """);

    [Test]
    public async Task A_contract_with_both_attributes_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities, Workflow]
        public partial interface {|FLOW004:IBoth|}
        {
            [Execute] Task RunAsync();
        }
        """);

    [Test]
    public async Task A_workflow_without_execute_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface {|FLOW005:IFlow|}
        {
            [Signal] Task StopAsync();
        }
        """);

    [Test]
    public async Task Every_execute_of_a_workflow_with_two_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task {|FLOW006:RunAsync|}();
            [Execute] Task {|FLOW006:StartAsync|}(string input);
        }
        """);

    [Test]
    public async Task Workflow_attributes_outside_a_workflow_contract_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public partial interface IFiles
        {
            [{|FLOW007:Execute|}] Task RunAsync();
            [{|FLOW007:Signal(Name = "x")|}] Task StopAsync();
        }

        public class Helper
        {
            [{|FLOW007:GetState|}] public int State => 0;
        }
        """);

    [Test]
    public async Task An_activity_attribute_outside_an_activities_contract_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface IFlow
        {
            [Execute, {|FLOW007:Activity(StartToClose = "00:01:00")|}] Task RunAsync();
        }
        """);

    [Test]
    public async Task Every_get_state_of_a_workflow_with_two_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
            [GetState] int {|FLOW008:Progress|} { get; }
            [GetState] string {|FLOW008:Describe|}();
        }
        """);

    [Test]
    public async Task Get_state_members_of_the_wrong_shape_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface IFlow1 { [Execute] Task RunAsync(); [GetState] Task<int> {|FLOW009:LoadAsync|}(); }

        [Workflow]
        public partial interface IFlow2 { [Execute] Task RunAsync(); [GetState] int {|FLOW009:Count|}(int x); }

        [Workflow]
        public partial interface IFlow3 { [Execute] Task RunAsync(); [GetState] void {|FLOW009:Touch|}(); }

        [Workflow]
        public partial interface IFlow4 { [Execute] Task RunAsync(); [GetState] int {|FLOW009:Level|} { set; } }
        """);

    [Test]
    public async Task A_workflow_method_without_a_role_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
            Task {|FLOW010:HelpAsync|}();
        }
        """);

    [Test]
    public async Task A_workflow_method_with_two_roles_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
            [Signal, GetState] Task {|FLOW011:PokeAsync|}();
        }
        """);

    [Test]
    public async Task Members_a_contract_cannot_carry_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public partial interface IFiles
        {
            const int Limit = 3;
            static int {|FLOW012:s_count|};
            int {|FLOW012:Count|} { get; }
            event EventHandler {|FLOW012:Changed|};
            static Task {|FLOW012:HelpAsync|}() => Task.CompletedTask;
            Task {|FLOW012:DefaultAsync|}() => Task.CompletedTask;
            Task RunAsync();
        }

        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
            string {|FLOW012:Name|} { get; }
        }
        """);

    [Test]
    public async Task Overloaded_contract_methods_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public partial interface IMail
        {
            Task {|FLOW013:SendAsync|}(string to);
            Task {|FLOW013:SendAsync|}(string to, string subject);
        }

        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
            [Signal] Task {|FLOW013:PingAsync|}();
            [Signal] Task {|FLOW013:PingAsync|}(string text);
        }
        """);

    [Test]
    public async Task Parameters_by_reference_or_pointer_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public unsafe partial interface IMath
        {
            Task AddAsync(ref int {|FLOW014:x|});
            Task SubAsync(out int {|FLOW014:y|});
            Task MulAsync(in int {|FLOW014:z|});
            Task DivAsync(ref readonly int {|FLOW014:w|});
            Task ModAsync(int* {|FLOW014:p|});
        }
        """);

    [Test]
    public async Task Generic_contract_methods_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public partial interface IStore
        {
            Task<T> {|FLOW015:LoadAsync|}<T>(string key);
        }

        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task {|FLOW015:RunAsync|}<T>(T input);
        }
        """);

    [Test]
    public async Task Types_that_cannot_be_serialized_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public partial interface IBytes
        {
            Task SendAsync(Span<byte> {|FLOW016:data|});
            Task SumAsync(params ReadOnlySpan<int> {|FLOW016:values|});
            Task CallAsync(Func<int> {|FLOW016:callback|});
            Task<Action> {|FLOW016:GetAsync|}();
        }

        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
            [GetState] Func<int> {|FLOW016:State|} { get; }
        }
        """);

    [Test]
    public async Task Activity_and_execute_methods_that_do_not_return_a_task_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public partial interface IFiles
        {
            string {|FLOW017:Read|}(string path);
            ValueTask {|FLOW017:WriteAsync|}(string path);
            void {|FLOW017:Delete|}(string path);
            Task<int> CountAsync(string path);
        }

        [Workflow]
        public partial interface IFlow
        {
            [Execute] int {|FLOW017:Run|}();
        }
        """);

    [Test]
    public async Task Signals_that_return_a_value_are_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task RunAsync();
            [Signal] Task<int> {|FLOW018:CountAsync|}();
            [Signal] bool {|FLOW018:Stop|}();
            [Signal] ValueTask {|FLOW018:PauseAsync|}();
        }
        """);

    [Test]
    public async Task A_cancellation_token_before_the_last_activity_parameter_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Activities]
        public partial interface IFiles
        {
            Task CopyAsync(CancellationToken {|FLOW019:token|}, string path);
            Task MoveAsync(string path, CancellationToken {|FLOW019:first|}, CancellationToken second);
            Task DeleteAsync(string path, CancellationToken token);
        }
        """);

    [Test]
    public async Task A_cancellation_token_on_a_workflow_method_is_reported() => await AnalyzerTest.VerifyAsync("""
        [Workflow]
        public partial interface IFlow
        {
            [Execute] Task RunAsync(string input, CancellationToken {|FLOW020:token|});
            [Signal] Task StopAsync(CancellationToken {|FLOW020:token|});
        }
        """);
}
