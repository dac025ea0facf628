using System.Text.Json.Nodes;
using Flow.Serialization;
using Json = Flow.Generated.FlowJson_Flow_Generators_Tests_0332306c;

namespace Flow.Generators.Tests.Runtime;

public sealed class JsonMetadataTests
{
    private static readonly Order s_order = new("o-1", Priority.High, [new Line("apple", 3, 1.5m)],
        new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.FromHours(1)))
    {
        DiscountPercent = 10,
        Tags = ["gift", "fragile"],
        Counters = new() { ["retries"] = 2 },
        Attachment = [1, 2, 3],
        Note = "by hand",
        Secret = "hidden",
    };

    private static T RoundTrip<T>(T value) => Payload.Decode(Payload.Encode(value, Json.TypeInfo<T>()), Json.TypeInfo<T>());

    [Test]
    public void A_record_with_positional_and_init_properties_round_trips()
    {
        var copy = RoundTrip(s_order);

        Assert.That(copy.Id, Is.EqualTo(s_order.Id));
        Assert.That(copy.Priority, Is.EqualTo(Priority.High));
        Assert.That(copy.Lines, Is.EqualTo(s_order.Lines));
        Assert.That(copy.PlacedAt, Is.EqualTo(s_order.PlacedAt));
        Assert.That(copy.PlacedAt.Offset, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(copy.DiscountPercent, Is.EqualTo(10));
        Assert.That(copy.Tags, Is.EqualTo(s_order.Tags));
        Assert.That(copy.Counters, Is.EqualTo(s_order.Counters));
        Assert.That(copy.Attachment, Is.EqualTo(s_order.Attachment));
        Assert.That(copy.Note, Is.EqualTo("by hand"));
    }

    [Test]
    public void Property_names_are_camel_case_unless_json_property_name_says_otherwise()
    {
        var json = JsonNode.Parse(Payload.Encode(s_order, Json.TypeInfo<Order>()))!.AsObject();

        Assert.That(json.Select(p => p.Key), Is.EquivalentTo(new[]
        {
            "id", "priority", "lines", "placedAt", "discountPercent", "tags", "counters", "attachment", "note_text",
        }));
        Assert.That(json["priority"]!.GetValue<string>(), Is.EqualTo("High"));
        Assert.That(json["attachment"]!.GetValue<string>(), Is.EqualTo("AQID"));
    }

    [Test]
    public void Json_ignore_keeps_a_property_out_of_the_payload()
    {
        Assert.That(Payload.Encode(s_order, Json.TypeInfo<Order>()), Does.Not.Contain("hidden"));
        Assert.That(RoundTrip(s_order).Secret, Is.EqualTo("not serialized"));
    }

    [Test]
    public void Nullable_values_round_trip_as_null()
    {
        var order = s_order with { DiscountPercent = null, Attachment = null, Note = null };

        var copy = RoundTrip(order);

        Assert.That(copy.DiscountPercent, Is.Null);
        Assert.That(copy.Attachment, Is.Null);
        Assert.That(copy.Note, Is.Null);
    }

    [Test]
    public void A_class_with_settable_properties_round_trips()
    {
        var receipt = new Receipt
        {
            Id = Guid.NewGuid(),
            Total = 12.5m,
            Priorities = [Priority.Low, Priority.High],
            Elapsed = TimeSpan.FromMilliseconds(1500),
            Link = new Uri("https://example.com/r"),
        };

        var copy = RoundTrip(receipt);

        Assert.That(copy.Id, Is.EqualTo(receipt.Id));
        Assert.That(copy.Total, Is.EqualTo(12.5m));
        Assert.That(copy.Priorities, Is.EqualTo(receipt.Priorities));
        Assert.That(copy.Elapsed, Is.EqualTo(receipt.Elapsed));
        Assert.That(copy.Link, Is.EqualTo(receipt.Link));
    }

    [Test]
    public void A_record_struct_and_its_nullable_round_trip()
    {
        Assert.That(RoundTrip(new Point(1.25, -3)), Is.EqualTo(new Point(1.25, -3)));
        Assert.That(RoundTrip<Point?>(null), Is.Null);
        Assert.That(RoundTrip<Point?>(new Point(2, 2)), Is.EqualTo(new Point(2, 2)));
    }

    [Test]
    public void An_unknown_enum_name_is_rejected()
    {
        Assert.Throws<PayloadException>(() => Payload.Decode("\"Medium\"", Json.TypeInfo<Priority>()));
    }

    [Test]
    public void Options_resolve_only_generated_metadata_so_no_reflection_is_used()
    {
        Assert.That(Json.Options.TryGetTypeInfo(typeof(System.Collections.ArrayList), out _), Is.False);
    }
}
