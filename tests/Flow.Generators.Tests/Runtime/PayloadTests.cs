using Flow.Serialization;
using Json = Flow.Generated.FlowJson_Flow_Generators_Tests_0332306c;

namespace Flow.Generators.Tests.Runtime;

public sealed class PayloadTests
{
    [Test]
    public void Arguments_are_written_as_a_json_array_in_order()
    {
        var input = Payload.Arguments().Add("a", Json.TypeInfo<string>()).Add(2, Json.TypeInfo<int>()).Add<int?>(null, Json.TypeInfo<int?>()).ToJson();

        Assert.That(input, Is.EqualTo("""["a",2,null]"""));
    }

    [TestCase("""{"a":1}""", "it starts with an object")]
    [TestCase("null", "it starts with null")]
    [TestCase("\"ok\"", "it starts with a string")]
    public void An_input_that_is_not_an_array_is_rejected(string input, string why)
    {
        var error = Assert.Throws<PayloadException>(() => Read(input));
        Assert.That(error!.Message, Does.StartWith("The input is not a JSON array of arguments").And.Contain(why));
    }

    [TestCase("""["ok" """)]
    [TestCase("""["ok",""")]
    [TestCase("""["ok"] x""")]
    [TestCase("""["ok"] ["again"]""")]
    [TestCase("""["ok"],""")]
    [TestCase("""["ok", {bad}]""")]
    [TestCase("""["ok", 1,]""")]
    [TestCase("""["ok"] // comment""")]
    public void The_whole_input_must_be_one_json_array_even_past_the_arguments_read(string input)
    {
        // Read takes only the first argument: what follows must still be checked.
        var error = Assert.Throws<PayloadException>(() => Read(input));
        Assert.That(error!.Message, Does.StartWith("The input is not one JSON array of arguments: ").Or.StartWith("The input has more"));
    }

    [Test]
    public void An_argument_of_the_wrong_type_names_its_position_and_type()
    {
        var error = Assert.Throws<PayloadException>(() =>
        {
            var reader = new PayloadReader("""["x", "notanint"]""");
            reader.Read(Json.TypeInfo<string>());
            reader.Read(Json.TypeInfo<int>());
        });
        Assert.That(error!.Message, Does.StartWith("Argument 2 does not read as Int32: "));
        Assert.That(error.InnerException, Is.InstanceOf<System.Text.Json.JsonException>());
    }

    [Test]
    public void Extra_arguments_are_ignored_and_an_absent_input_reads_as_defaults()
    {
        Assert.That(Read("""["x",1,true]"""), Is.EqualTo("x"));
        Assert.That(Read(" [ \"x\" ] \n"), Is.EqualTo("x"));
        Assert.That(Read(null), Is.Null);
        Assert.That(Read("[]"), Is.Null);
    }

    [Test]
    public void An_exact_reader_refuses_a_missing_argument_without_a_default_and_extra_ones()
    {
        var missing = Assert.Throws<PayloadException>(() => PayloadReader.Exact("[]").Read(Json.TypeInfo<int>()));
        Assert.That(missing!.Message, Is.EqualTo("Argument 1 (Int32) is missing: the input has 0 arguments."));
        var absent = Assert.Throws<PayloadException>(() => PayloadReader.Exact(null).Read(Json.TypeInfo<int>()));
        Assert.That(absent!.Message, Is.EqualTo("Argument 1 (Int32) is missing: the input has 0 arguments."));

        var extra = Assert.Throws<PayloadException>(() =>
        {
            var reader = PayloadReader.Exact("""[1, {"a":[2]}, [3]]""");
            reader.Read(Json.TypeInfo<int>());
            reader.End();
        });
        Assert.That(extra!.Message, Is.EqualTo("The input has 3 arguments; 1 is expected."));
        var none = Assert.Throws<PayloadException>(() => PayloadReader.Exact("[1]").End());
        Assert.That(none!.Message, Is.EqualTo("The input has 1 arguments; 0 are expected."));

        var withDefault = PayloadReader.Exact("[4]");
        Assert.That(withDefault.Read(Json.TypeInfo<int>()), Is.EqualTo(4));
        Assert.That(withDefault.Read(Json.TypeInfo<int>(), 9), Is.EqualTo(9));
        withDefault.End(); // the input had all it needed
        Assert.DoesNotThrow(() => PayloadReader.Exact(null).End());
        Assert.DoesNotThrow(() => PayloadReader.Exact("[]").End());
    }

    [Test]
    public void An_absent_result_decodes_as_the_default_and_a_malformed_one_is_refused()
    {
        Assert.That(Payload.Decode(null, Json.TypeInfo<int>()), Is.Zero);
        Assert.That(Payload.Decode("42", Json.TypeInfo<int>()), Is.EqualTo(42));
        var error = Assert.Throws<PayloadException>(() => Payload.Decode("42 43", Json.TypeInfo<int>()));
        Assert.That(error!.Message, Does.StartWith("The result does not read as Int32: "));
        Assert.Throws<PayloadException>(() => Payload.Decode("\"ok", Json.TypeInfo<string>()));
    }

    private static string? Read(string? input)
    {
        var reader = new PayloadReader(input);
        return reader.Read(Json.TypeInfo<string>());
    }
}
