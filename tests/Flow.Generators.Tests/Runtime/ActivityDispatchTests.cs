using System.Text.Json.Nodes;
using Flow.Serialization;
using Json = Flow.Generated.FlowJson_Flow_Generators_Tests_0332306c;

namespace Flow.Generators.Tests.Runtime;

public sealed class ActivityDispatchTests
{
    private static readonly Order s_order = new("o-1", Priority.High, [new Line("apple", 3, 1.5m), new Line("pear", 1, 2m)],
        new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.FromHours(1)))
    {
        DiscountPercent = 50,
        Tags = ["gift"],
        Counters = new() { ["retries"] = 2 },
        Attachment = [1, 2, 3],
        Note = "fragile",
    };

    private static ActivityHandler Handler(string name, OrderActivities? implementation = null)
        => OrderActivitiesDispatch.CreateHandlers(() => implementation ?? new OrderActivities()).Single(h => h.Definition.Name == name);

    [Test]
    public void Definitions_carry_default_names_versions_and_timeouts_in_swf_seconds()
    {
        var charge = OrderActivitiesDispatch.Charge;
        Assert.That(charge.Name, Is.EqualTo("OrderActivities.Charge"));
        Assert.That(charge.Version, Is.EqualTo("2.0"));
        Assert.That(charge.DefaultTaskList, Is.EqualTo("orders"));
        Assert.That(charge.DefaultStartToCloseTimeout, Is.EqualTo("300"));
        Assert.That(charge.DefaultHeartbeatTimeout, Is.EqualTo("NONE"));
    }

    [Test]
    public void An_activity_attribute_overrides_the_name_and_timeouts_and_marks_manual_completion()
    {
        var ship = OrderActivitiesDispatch.Ship;
        Assert.That(ship.Name, Is.EqualTo("Orders.Ship"));
        Assert.That(ship.DefaultStartToCloseTimeout, Is.EqualTo("3600"));
        Assert.That(ship.ManualCompletion, Is.True);
        Assert.That(OrderActivitiesDispatch.Definitions, Has.Count.EqualTo(5));
    }

    [Test]
    public async Task A_factory_given_the_task_context_creates_an_implementation_for_each_task()
    {
        // The shape Flow.Hosting's AddActivities<TImplementation> takes: the method group converts to it.
        Func<Func<ActivityExecutionContext, OrderActivities>, IEnumerable<ActivityHandler>> dispatch = OrderActivitiesDispatch.CreateHandlers;
        var seen = new List<(ActivityExecutionContext Context, OrderActivities Implementation)>();
        var handler = dispatch(context =>
        {
            var implementation = new OrderActivities();
            seen.Add((context, implementation));
            return implementation;
        }).Single(h => h.Definition.Name == "Orders.Ship");
        var first = new TestActivityContext(new CancellationTokenSource().Token);
        var second = new TestActivityContext();

        await handler.Invoke("""["o-1",null]""", first);
        await handler.Invoke("""["o-2",null]""", second);

        Assert.That(seen.Select(s => s.Context), Is.EqualTo(new[] { first, second }));
        Assert.That(seen[0].Implementation, Is.Not.SameAs(seen[1].Implementation));
        Assert.That(seen[0].Implementation.LastToken, Is.EqualTo(first.CancellationToken));
    }

    [Test]
    public async Task A_handler_decodes_a_record_argument_array_and_encodes_the_result()
    {
        var input = Payload.Arguments().Add(s_order, Json.TypeInfo<Order>()).Add("EUR", Json.TypeInfo<string>()).ToJson();

        var result = await Handler("OrderActivities.Charge").Invoke(input, new TestActivityContext());

        var receipt = Payload.Decode(result, Json.TypeInfo<Receipt>());
        Assert.That(receipt.Total, Is.EqualTo(3.25m));
        Assert.That(receipt.Priorities, Is.EqualTo(new[] { Priority.High, Priority.Low }));
        Assert.That(receipt.Link, Is.EqualTo(new Uri("https://example.com/EUR/o-1")));
        Assert.That(receipt.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(90)));
    }

    [Test]
    public async Task A_handler_reads_hand_written_camel_case_json()
    {
        const string input = """[{"id":"o-2","priority":"Low","lines":[{"sku":"a","quantity":2,"price":10}],"placedAt":"2026-01-01T00:00:00Z"},"USD"]""";

        var result = await Handler("OrderActivities.Charge").Invoke(input, new TestActivityContext());

        Assert.That(JsonNode.Parse(result!)!["total"]!.GetValue<decimal>(), Is.EqualTo(20m));
    }

    [Test]
    public async Task A_task_activity_returns_no_result_and_gets_the_context_cancellation_token()
    {
        var implementation = new OrderActivities();
        using var cancellation = new CancellationTokenSource();

        var result = await Handler("Orders.Ship", implementation).Invoke("""["o-1",{"x":1.5,"y":-2}]""", new TestActivityContext(cancellation.Token));

        Assert.That(result, Is.Null);
        Assert.That(implementation.LastDestination, Is.EqualTo(new Point(1.5, -2)));
        Assert.That(implementation.LastToken, Is.EqualTo(cancellation.Token));
    }

    [Test]
    public async Task Missing_trailing_arguments_read_as_defaults()
    {
        var implementation = new OrderActivities();

        await Handler("Orders.Ship", implementation).Invoke("""["o-1"]""", new TestActivityContext());

        Assert.That(implementation.LastDestination, Is.Null);
    }

    [Test]
    public async Task Interface_collections_and_enums_round_trip()
    {
        var input = Payload.Arguments()
            .Add<IReadOnlyList<Point>>([new(1, 2), new(3, 4)], Json.TypeInfo<IReadOnlyList<Point>>())
            .Add(Priority.High, Json.TypeInfo<Priority>())
            .ToJson();

        var result = await Handler("OrderActivities.Route").Invoke(input, new TestActivityContext());

        Assert.That(input, Does.Contain("\"High\""));
        Assert.That(Payload.Decode(result, Json.TypeInfo<IEnumerable<Point>>()), Is.EqualTo(new[] { new Point(3, 4), new Point(1, 2) }));
    }

    [Test]
    public async Task Byte_arrays_travel_as_base64()
    {
        var result = await Handler("OrderActivities.Compress").Invoke("""["AQID"]""", new TestActivityContext());

        Assert.That(result, Is.EqualTo("\"AwIB\""));
    }

    [Test]
    public async Task A_null_nullable_result_is_json_null()
    {
        var result = await Handler("OrderActivities.Now").Invoke("[]", new TestActivityContext());

        Assert.That(result, Is.EqualTo("null"));
        Assert.That(Payload.Decode(result, Json.TypeInfo<DateTimeOffset?>()), Is.Null);
    }
}
