using System.Text.Json;
using Flow.Serialization;
using Json = Flow.Generated.FlowJson_Flow_Generators_Tests;

namespace Flow.Generators.Tests.Runtime;

public sealed class PayloadTests
{
    [Test]
    public void Arguments_are_written_as_a_json_array_in_order()
    {
        var input = Payload.Arguments().Add("a", Json.TypeInfo<string>()).Add(2, Json.TypeInfo<int>()).Add<int?>(null, Json.TypeInfo<int?>()).ToJson();

        Assert.That(input, Is.EqualTo("""["a",2,null]"""));
    }

    [Test]
    public void An_input_that_is_not_an_array_is_rejected()
    {
        Assert.Throws<JsonException>(() => Read("""{"a":1}"""));
    }

    [Test]
    public void Extra_arguments_are_ignored_and_an_absent_input_reads_as_defaults()
    {
        Assert.That(Read("""["x",1,true]"""), Is.EqualTo("x"));
        Assert.That(Read(null), Is.Null);
    }

    [Test]
    public void An_absent_result_decodes_as_the_default()
    {
        Assert.That(Payload.Decode(null, Json.TypeInfo<int>()), Is.Zero);
    }

    private static string? Read(string? input)
    {
        var reader = new PayloadReader(input);
        return reader.Read(Json.TypeInfo<string>());
    }
}
