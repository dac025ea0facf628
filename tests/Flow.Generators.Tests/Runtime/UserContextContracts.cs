using System.Text.Json.Serialization;
using Flow;

[assembly: FlowJsonContext(typeof(Flow.Generators.Tests.Runtime.ShapeJsonContext))]

namespace Flow.Generators.Tests.Runtime;

// Polymorphism is beyond the generated metadata: a user context describes these types, ahead of the generated ones.

[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(Circle), "circle")]
[JsonDerivedType(typeof(Square), "square")]
public abstract record Shape;

public sealed record Circle(double Radius) : Shape;

public sealed record Square(double Side) : Shape;

[JsonSerializable(typeof(Shape))]
internal sealed partial class ShapeJsonContext : JsonSerializerContext;

[Activities(TaskList = "geometry")]
public partial interface IGeometryActivities
{
    Task<double> AreaAsync(Shape shape);
}

internal sealed class GeometryActivities : IGeometryActivities
{
    public Task<double> AreaAsync(Shape shape) => Task.FromResult(shape switch
    {
        Circle c => Math.Round(Math.PI * c.Radius * c.Radius, 2),
        Square s => s.Side * s.Side,
        _ => 0,
    });
}
