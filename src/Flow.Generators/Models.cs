using Flow.Generators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Flow.Generators;

// The pipeline's models: strings, numbers and equatable arrays only (no ISymbol, SyntaxNode, Location or
// Compilation), so that an edit which leaves a contract's shape alone leaves every step cached.

/// <summary>Where a diagnostic points, kept as plain values.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
        => location?.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A method parameter: its name as C# source and its type as fully qualified, annotated C#.</summary>
internal sealed record ParameterModel(string Name, string Type, bool IsCancellationToken)
{
    /// <summary>C# source of the default value (<c>3</c>, <c>null</c>, <c>default</c>), or null when it has none.</summary>
    public string? DefaultValue { get; init; }

    public bool IsParams { get; init; }
}

internal enum ReturnKind
{
    Void,
    Task,
    TaskOfT,
    Value,
}

internal enum MemberKind
{
    Activity,
    Execute,
    Signal,
    GetState,
}

/// <summary>One contract member as generated code needs it.</summary>
internal sealed record MethodModel(
    MemberKind Kind,
    string Name,
    string SwfName,
    EquatableArray<ParameterModel> Parameters,
    ReturnKind Return,
    string? ResultType,
    bool IsProperty)
{
    public string? Version { get; init; }
    public string? TaskList { get; init; }
    public string? ScheduleToStart { get; init; }
    public string? StartToClose { get; init; }
    public string? ScheduleToClose { get; init; }
    public string? Heartbeat { get; init; }
    public string? Description { get; init; }
    public bool ManualCompletion { get; init; }

    /// <summary>The method name without its Async suffix: SWF names and definition properties use it.</summary>
    public string ShortName => SwfRules.MethodBaseName(Name);

    /// <summary>The member's name as C# source (<c>@return</c>).</summary>
    public string Identifier => Names.Identifier(Name);

    /// <summary>The name of the dispatch table's definition property, as C# source.</summary>
    public string ShortIdentifier => Names.Identifier(ShortName);

    /// <summary>The name of the run handle's method that sends this signal, as C# source.</summary>
    public string SendIdentifier => Names.Identifier(ShortName + "Async");
}

internal enum ContractKind
{
    Activities,
    Workflow,
}

/// <summary>A contract interface: its identity, its registration defaults and its members.</summary>
/// <param name="ContainingTypes">Declarations of the types the contract is nested in, outermost first
/// (<c>static partial class Contracts</c>); generated types are nested in the same ones.</param>
/// <param name="Accessibility">The contract's C# accessibility, which its generated types share.</param>
internal sealed record ContractModel(
    ContractKind Kind,
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string InterfaceName,
    string BaseName,
    string Accessibility,
    EquatableArray<MethodModel> Members)
{
    /// <summary>The contract as C# names it from anywhere: <c>global::Shop.Contracts.IOrders</c>.</summary>
    public string FullName { get; init; } = "";

    /// <summary>What names the contract's scope from anywhere, ready for a generated type's name: <c>global::Shop.Contracts.</c>
    /// (or <c>global::</c>). Generated code names its own types through it, so that no member or parameter of the
    /// contract that shares a generated type's name can hide the type.</summary>
    public string Scope { get; init; } = "global::";

    /// <summary>Explicit implementations, throwing, of interface members the generator cannot implement (an
    /// analyzer reports each): they keep the generated clients compiling, so the analyzer's error is the only one.</summary>
    public EquatableArray<string> Unsupported { get; init; }

    public string Version { get; init; } = SwfRules.DefaultVersion;
    public string? WorkflowName { get; init; }
    public string? TaskList { get; init; }
    public int TaskPriority { get; init; }
    public string? ScheduleToStart { get; init; }
    public string? StartToClose { get; init; }
    public string? ScheduleToClose { get; init; }
    public string? Heartbeat { get; init; }
    public string? ExecutionStartToClose { get; init; }
    public string? TaskStartToClose { get; init; }
    public string? ChildPolicy { get; init; }
    public string? Description { get; init; }

    /// <summary>JSON metadata for every type the contract's payloads reach.</summary>
    public EquatableArray<JsonTypeModel> JsonTypes { get; init; }

    /// <summary>Unique per contract; '@' (an escaped keyword in a name) is not allowed in hint names.</summary>
    public string HintName => FullName.Substring("global::".Length).Replace("@", "") + ".Flow.g.cs";
}

internal enum JsonTypeKind
{
    /// <summary>A built-in System.Text.Json converter (primitives, string, Guid, DateTimeOffset, byte[] ...).</summary>
    Value,
    Enum,
    Nullable,
    Array,
    Collection,
    Dictionary,
    Object,

    /// <summary>No generated metadata: a user's JsonSerializerContext declares it.</summary>
    External,

    /// <summary>Neither the generator nor a user context can describe it; a build error says why.</summary>
    Unsupported,
}

/// <summary>How to build one type's JsonTypeInfo. <see cref="Name"/> is fully qualified, without nullable annotations.</summary>
internal sealed record JsonTypeModel(string Name, JsonTypeKind Kind)
{
    /// <summary>A JsonMetadataServices converter property (Value) or factory method (Array, Collection, Dictionary).</summary>
    public string? Factory { get; init; }
    public string? ElementType { get; init; }
    public string? KeyType { get; init; }

    /// <summary>The concrete collection to create, or null when System.Text.Json picks one for an interface.</summary>
    public string? CollectionCreator { get; init; }
    public bool IsValueType { get; init; }
    public EquatableArray<JsonPropertyModel> Properties { get; init; }

    /// <summary>Constructor parameters in order; null when the parameterless constructor is used.</summary>
    public EquatableArray<JsonParameterModel> ConstructorParameters { get; init; }
    public bool UsesParameterizedConstructor { get; init; }

    /// <summary>Why the type is unsupported, and where a contract uses it.</summary>
    public string? Reason { get; init; }
    public string? UsedBy { get; init; }
    public LocationInfo? Location { get; init; }
}

internal enum SetterKind
{
    None,
    Setter,

    /// <summary>init or required: assigned in the object initializer of the creator.</summary>
    Initializer,

    /// <summary>Bound to a constructor parameter.</summary>
    Constructor,
}

/// <summary>A serialized property; <see cref="Type"/> is annotated C#, <see cref="TypeOf"/> the plain name for typeof.</summary>
internal sealed record JsonPropertyModel(string Name, string Type, string TypeOf, SetterKind Setter)
{
    public string DeclaringType { get; init; } = "";
    public bool IsNullable { get; init; }

    /// <summary>A C# required member or [JsonRequired]: the JSON must have it, as System.Text.Json's own generator says.</summary>
    public bool IsRequired { get; init; }

    public string? JsonName { get; init; }

    /// <summary>A JsonIgnoreCondition member name, or null.</summary>
    public string? IgnoreCondition { get; init; }
}

internal sealed record JsonParameterModel(string Name, string Type, string TypeOf, bool IsMemberInitializer, bool IsNullable)
{
    /// <summary>C# source of the default value, or null when the parameter has none.</summary>
    public string? DefaultValue { get; init; }
}

/// <summary>A user JsonSerializerContext named by [assembly: FlowJsonContext] and the types it declares.</summary>
internal sealed record UserContextModel(string ContextType, EquatableArray<string> Types);
