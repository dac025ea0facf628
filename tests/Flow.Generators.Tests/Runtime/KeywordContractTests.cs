using Flow.Serialization;
using Json = Flow.Generated.FlowJson_Flow_Generators_Tests_0332306c;

namespace Flow.Generators.Tests.Runtime;

/// <summary>Member and parameter names that are C# keywords, also once Async is dropped.</summary>
[Activities(TaskList = "keywords")]
public partial interface IKeywordActivities
{
    Task<int> @return(int @int);

    Task<string> @ifAsync(string @string, CancellationToken @checked);
}

[Workflow(TaskList = "keywords")]
public partial interface IKeywordWorkflow
{
    [Execute]
    Task<int> @return(int @int);

    [Signal]
    Task @class(string @event);

    [Signal]
    void @forAsync(int @in);

    [GetState]
    string @is();
}

public sealed class KeywordContractTests
{
    private sealed class Activities : IKeywordActivities
    {
        public Task<int> @return(int @int) => Task.FromResult(@int * 2);

        public Task<string> @ifAsync(string @string, CancellationToken @checked) => Task.FromResult(@string + "!");
    }

    private sealed class Workflow : IKeywordWorkflow
    {
        private readonly List<string> _events = [];

        public Task<int> @return(int @int) => Task.FromResult(@int + 1);

        public Task @class(string @event)
        {
            _events.Add("class " + @event);
            return Task.CompletedTask;
        }

        public void @forAsync(int @in) => _events.Add("for " + @in);

        public string @is() => string.Join(", ", _events);
    }

    [Test]
    public void Activity_types_keep_the_keyword_names_as_written()
    {
        Assert.That(KeywordActivitiesDispatch.@return.Name, Is.EqualTo("KeywordActivities.return"));
        Assert.That(KeywordActivitiesDispatch.@if.Name, Is.EqualTo("KeywordActivities.if"));
        Assert.That(KeywordWorkflowDispatch.Definition.Name, Is.EqualTo("KeywordWorkflow.return"));
    }

    [Test]
    public async Task Keyword_named_activities_are_dispatched_with_their_arguments()
    {
        var handlers = KeywordActivitiesDispatch.CreateHandlers(() => new Activities());

        var doubled = await handlers.Single(h => h.Definition.Name == "KeywordActivities.return").Invoke("[21]", new TestActivityContext());
        var shouted = await handlers.Single(h => h.Definition.Name == "KeywordActivities.if").Invoke("""["hi"]""", new TestActivityContext());

        Assert.That(Payload.Decode(doubled, Json.TypeInfo<int>()), Is.EqualTo(42));
        Assert.That(Payload.Decode(shouted, Json.TypeInfo<string>()), Is.EqualTo("hi!"));
    }

    [Test]
    public async Task A_keyword_named_workflow_runs_routes_its_signals_and_reports_its_state()
    {
        var instance = KeywordWorkflowDispatch.CreateHandler(() => new Workflow()).CreateInstance();

        var result = await instance.ExecuteAsync("[1]");
        await instance.HandleSignal("class", """["e"]""")!;
        await instance.HandleSignal("for", "[3]")!;

        Assert.That(Payload.Decode(result, Json.TypeInfo<int>()), Is.EqualTo(2));
        Assert.That(Payload.Decode(instance.GetState(), Json.TypeInfo<string>()), Is.EqualTo("class e, for 3"));
    }
}
