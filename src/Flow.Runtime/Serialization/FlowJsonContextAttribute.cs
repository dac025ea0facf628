namespace Flow;

/// <summary>Adds a user's <c>JsonSerializerContext</c> to the JSON metadata of this assembly's contracts, ahead of
/// the generated metadata: use it for types the generator cannot describe (custom converters, polymorphism).
/// The context must have a static <c>Default</c> property, as System.Text.Json's generator emits.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class FlowJsonContextAttribute(Type contextType) : Attribute
{
    public Type ContextType { get; } = contextType;
}
