using System.Text.Json.Nodes;
using Flow.Serialization;
using Json = Flow.Generated.FlowJson_Flow_Generators_Tests_0332306c;

namespace Flow.Generators.Tests.Runtime;

public sealed class WorkflowDispatchTests
{
    [Test]
    public void The_definition_carries_the_default_name_and_the_contract_defaults()
    {
        var definition = OrderWorkflowDispatch.Definition;

        Assert.That(definition.Name, Is.EqualTo("OrderWorkflow.Process"));
        Assert.That(definition.Version, Is.EqualTo("1.1"));
        Assert.That(definition.DefaultTaskList, Is.EqualTo("decisions"));
        Assert.That(definition.DefaultExecutionStartToCloseTimeout, Is.EqualTo("3600"));
        Assert.That(definition.DefaultChildPolicy, Is.EqualTo(Swf.ChildPolicy.Abandon));
    }

    [Test]
    public async Task An_instance_runs_execute_with_decoded_arguments_and_encodes_its_result()
    {
        var workflow = new OrderWorkflow();
        var instance = OrderWorkflowDispatch.CreateHandler(() => workflow).CreateInstance();
        const string input = """[{"id":"o","priority":"Low","lines":[{"sku":"a","quantity":1,"price":4.5}],"placedAt":"2026-01-01T00:00:00Z"},true]""";

        var result = await instance.ExecuteAsync(input);

        Assert.That(Payload.Decode(result, Json.TypeInfo<Receipt>()).Total, Is.EqualTo(4.5m));
        Assert.That(JsonNode.Parse(instance.GetState()!)!["stage"]!.GetValue<string>(), Is.EqualTo("express"));
    }

    [Test]
    public async Task Signals_are_routed_by_their_swf_names()
    {
        var workflow = new OrderWorkflow();
        var instance = OrderWorkflowDispatch.CreateHandler(() => workflow).CreateInstance();

        await instance.HandleSignal("Approve", """["ann"]""")!;
        await instance.HandleSignal("cancel-order", """["late","High"]""")!;

        Assert.That(workflow.Events, Is.EqualTo(new[] { "approved by ann", "cancel late High" }));
    }

    [TestCase("[]", TestName = "Signal input with no arguments")]
    [TestCase("[\"ann\"]", TestName = "Signal input with too few arguments")]
    [TestCase("[\"ann\",\"Low\",\"extra\"]", TestName = "Signal input with an extra argument")]
    [TestCase("[\"ann\",\"Lowest\"]", TestName = "Signal input with an unknown enum name")]
    [TestCase("[1,\"Low\"]", TestName = "Signal input with a number for a string")]
    [TestCase("[\"ann\",\"Low\"", TestName = "Signal input that is not terminated")]
    [TestCase(null, TestName = "Signal with no input")]
    public void A_signal_whose_input_does_not_fit_throws_PayloadException_before_the_handler_runs(string? input)
    {
        var workflow = new OrderWorkflow();
        var instance = OrderWorkflowDispatch.CreateHandler(() => workflow).CreateInstance();

        Assert.Throws<PayloadException>(() => instance.HandleSignal("cancel-order", input));
        Assert.That(workflow.Events, Is.Empty);
    }

    [Test]
    public async Task A_signal_argument_left_out_reads_as_its_declared_default()
    {
        var workflow = new PingedWorkflow();
        var instance = Nested.PingedDispatch.CreateHandler(() => workflow).CreateInstance();

        await instance.HandleSignal("Ping", null)!;
        await instance.HandleSignal("Ping", "[]")!;
        await instance.HandleSignal("Ping", """["ann"]""")!;
        await instance.HandleSignal("Ping", """["ann","Loud",1,["a","b"]]""")!;
        Assert.Throws<PayloadException>(() => instance.HandleSignal("Ping", """["ann","Loud",1,["a"],"more"]"""));

        Assert.That(workflow.Pings, Is.EqualTo(new[] { "(none) Plain 3 []", "(none) Plain 3 []", "ann Plain 3 []", "ann Loud 1 [a,b]" }));
    }

    private sealed class PingedWorkflow : Nested.IPinged
    {
        public List<string> Pings { get; } = [];

        public Task RunAsync() => Task.CompletedTask;

        public Task PingAsync(string? from = null, Nested.Tone tone = default, int times = 3, params string[] tags)
        {
            Pings.Add($"{from ?? "(none)"} {tone} {times} [{string.Join(",", tags)}]");
            return Task.CompletedTask;
        }
    }

    [Test]
    public void An_unknown_signal_is_not_handled()
    {
        var instance = OrderWorkflowDispatch.CreateHandler(() => new OrderWorkflow()).CreateInstance();

        Assert.That(instance.HandleSignal("Cancel", "[]"), Is.Null);
    }

    [Test]
    public void Get_state_encodes_the_state_member()
    {
        var instance = OrderWorkflowDispatch.CreateHandler(() => new OrderWorkflow()).CreateInstance();

        Assert.That(instance.GetState(), Is.EqualTo("""{"stage":"created","bytes":0}"""));
    }

    [Test]
    public void Each_instance_gets_a_fresh_workflow_object()
    {
        var created = 0;
        var handler = OrderWorkflowDispatch.CreateHandler(() =>
        {
            created++;
            return new OrderWorkflow();
        });

        handler.CreateInstance();
        handler.CreateInstance();

        Assert.That(created, Is.EqualTo(2));
    }
}
