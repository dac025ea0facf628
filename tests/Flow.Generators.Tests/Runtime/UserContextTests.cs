using Flow.Serialization;
using Json = Flow.Generated.FlowJson_Flow_Generators_Tests_0332306c;

namespace Flow.Generators.Tests.Runtime;

public sealed class UserContextTests
{
    [Test]
    public async Task A_handler_decodes_a_polymorphic_argument_through_the_user_context()
    {
        var handler = GeometryActivitiesDispatch.CreateHandlers(() => new GeometryActivities()).Single();

        var result = await handler.Invoke("""[{"kind":"square","side":3}]""", new TestActivityContext());

        Assert.That(result, Is.EqualTo("9"));
    }

    [Test]
    public void User_context_types_are_written_with_the_assembly_options()
    {
        var json = Payload.Encode<Shape>(new Circle(1.5), Json.TypeInfo<Shape>());

        Assert.That(json, Is.EqualTo("""{"kind":"circle","radius":1.5}"""));
    }
}
