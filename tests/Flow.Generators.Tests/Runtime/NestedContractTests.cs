using Flow.Serialization;
using Json = Flow.Generated.FlowJson_Flow_Generators_Tests_0332306c;

namespace Flow.Generators.Tests.Runtime;

public sealed class NestedContractTests
{
    private static ActivityHandler Handler() => Nested.GreetingsDispatch.CreateHandlers(() => new Greetings()).Single(h => h.Definition.Name == "Greetings.Greet");

    [Test]
    public void A_contract_nested_in_a_class_gets_its_types_nested_there_with_the_default_names()
    {
        Assert.That(Handler().Definition.Name, Is.EqualTo("Greetings.Greet"));
        Assert.That(Nested.GreetingsDispatch.Greet.DefaultTaskList, Is.EqualTo("greetings"));
        Assert.That(new Nested.GreetingsClient(), Is.InstanceOf<Nested.IGreetings>());
    }

    [Test]
    public async Task Arguments_an_older_caller_did_not_send_read_as_the_declared_defaults_and_an_empty_params_array()
    {
        var result = await Handler().Invoke("""["ada"]""", new TestActivityContext());

        Assert.That(Payload.Decode(result, Json.TypeInfo<string>()), Is.EqualTo("ADA ADA 0.5 []"));
    }

    [Test]
    public async Task Arguments_that_are_sent_override_the_defaults_and_fill_the_params_array()
    {
        var input = Payload.Arguments()
            .Add("ada", Json.TypeInfo<string>())
            .Add(1, Json.TypeInfo<int>())
            .Add(Nested.Tone.Plain, Json.TypeInfo<Nested.Tone>())
            .Add(2.5, Json.TypeInfo<double>())
            .Add(["x", "y"], Json.TypeInfo<string[]>())
            .ToJson();

        var result = await Handler().Invoke(input, new TestActivityContext());

        Assert.That(input, Is.EqualTo("""["ada",1,"Plain",2.5,["x","y"]]"""));
        Assert.That(Payload.Decode(result, Json.TypeInfo<string>()), Is.EqualTo("ada 2.5 [x,y]"));
    }

    [Test]
    public void Required_members_must_be_in_the_json_and_the_others_may_be_missing()
    {
        var card = Payload.Decode("""{"to":"ada","copies":2}""", Json.TypeInfo<Nested.Card>());
        Assert.That(card, Is.EqualTo(new Nested.Card { To = "ada", Copies = 2 }));

        var noTo = Assert.Throws<PayloadException>(() => Payload.Decode("""{"copies":2}""", Json.TypeInfo<Nested.Card>()));
        Assert.That(noTo!.Message, Does.Contain("to"));
        Assert.Throws<PayloadException>(() => Payload.Decode("""{"to":"ada"}""", Json.TypeInfo<Nested.Card>()));
    }
}
