using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Flow.Generators;

/// <summary>Walks the types a contract's payloads reach and describes how System.Text.Json's metadata API builds
/// each one: the same decisions System.Text.Json's own generator makes, for the shapes contracts use.</summary>
internal sealed class JsonTypeCollector(Compilation compilation)
{
    private const string JsonIgnore = "System.Text.Json.Serialization.JsonIgnoreAttribute";
    private const string JsonPropertyName = "System.Text.Json.Serialization.JsonPropertyNameAttribute";
    private const string JsonConstructor = "System.Text.Json.Serialization.JsonConstructorAttribute";
    private const string JsonRequired = "System.Text.Json.Serialization.JsonRequiredAttribute";

    private static readonly Dictionary<string, string> s_valueConverters = new(StringComparer.Ordinal)
    {
        ["bool"] = "BooleanConverter",
        ["byte"] = "ByteConverter",
        ["sbyte"] = "SByteConverter",
        ["char"] = "CharConverter",
        ["short"] = "Int16Converter",
        ["ushort"] = "UInt16Converter",
        ["int"] = "Int32Converter",
        ["uint"] = "UInt32Converter",
        ["long"] = "Int64Converter",
        ["ulong"] = "UInt64Converter",
        ["float"] = "SingleConverter",
        ["double"] = "DoubleConverter",
        ["decimal"] = "DecimalConverter",
        ["string"] = "StringConverter",
        ["byte[]"] = "ByteArrayConverter",
        ["global::System.Guid"] = "GuidConverter",
        ["global::System.DateTime"] = "DateTimeConverter",
        ["global::System.DateTimeOffset"] = "DateTimeOffsetConverter",
        ["global::System.TimeSpan"] = "TimeSpanConverter",
        ["global::System.DateOnly"] = "DateOnlyConverter",
        ["global::System.TimeOnly"] = "TimeOnlyConverter",
        ["global::System.Uri"] = "UriConverter",
        ["global::System.Version"] = "VersionConverter",
        ["global::System.Half"] = "HalfConverter",
        ["global::System.Int128"] = "Int128Converter",
        ["global::System.UInt128"] = "UInt128Converter",
        ["global::System.Text.Json.JsonElement"] = "JsonElementConverter",
        ["global::System.Text.Json.JsonDocument"] = "JsonDocumentConverter",
        ["global::System.Text.Json.Nodes.JsonNode"] = "JsonNodeConverter",
        ["global::System.Text.Json.Nodes.JsonObject"] = "JsonObjectConverter",
        ["global::System.Text.Json.Nodes.JsonArray"] = "JsonArrayConverter",
        ["global::System.Text.Json.Nodes.JsonValue"] = "JsonValueConverter",
    };

    // Generic collections: factory method, and whether the type itself can be created (else STJ picks List/Dictionary).
    private static readonly Dictionary<string, (string Factory, bool Creatable)> s_collections = new(StringComparer.Ordinal)
    {
        ["global::System.Collections.Generic.List<T>"] = ("CreateListInfo", true),
        ["global::System.Collections.Generic.IList<T>"] = ("CreateIListInfo", false),
        ["global::System.Collections.Generic.ICollection<T>"] = ("CreateICollectionInfo", false),
        ["global::System.Collections.Generic.IEnumerable<T>"] = ("CreateIEnumerableInfo", false),
        ["global::System.Collections.Generic.IReadOnlyList<T>"] = ("CreateIEnumerableInfo", false),
        ["global::System.Collections.Generic.IReadOnlyCollection<T>"] = ("CreateIEnumerableInfo", false),
        ["global::System.Collections.Generic.HashSet<T>"] = ("CreateISetInfo", true),
        ["global::System.Collections.Generic.ISet<T>"] = ("CreateISetInfo", false),
    };

    private static readonly Dictionary<string, (string Factory, bool Creatable)> s_dictionaries = new(StringComparer.Ordinal)
    {
        ["global::System.Collections.Generic.Dictionary<TKey, TValue>"] = ("CreateDictionaryInfo", true),
        ["global::System.Collections.Generic.IDictionary<TKey, TValue>"] = ("CreateIDictionaryInfo", false),
        ["global::System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>"] = ("CreateIReadOnlyDictionaryInfo", false),
    };

    private readonly Dictionary<string, JsonTypeModel> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<ITypeSymbol, string> _names = new(SymbolEqualityComparer.Default);
    private readonly List<string> _path = new();
    private string _usedBy = "";
    private LocationInfo? _location;

    /// <summary>Adds a type used by <paramref name="usedBy"/> (a contract member) at <paramref name="location"/>.</summary>
    public void Add(ITypeSymbol type, string usedBy, Location? location)
    {
        _usedBy = usedBy;
        _location = LocationInfo.From(location);
        Visit(type);
    }

    public EquatableArray<JsonTypeModel> ToArray()
        => _types.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToEquatableArray();

    public static string PlainName(ITypeSymbol type)
        => Names.Display(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated), Names.Plain);

    /// <summary>The plain name, formatted once per type: formatting is the costliest part of the walk.</summary>
    private string NameOf(ITypeSymbol type)
    {
        if (!_names.TryGetValue(type, out var name))
        {
            _names[type] = name = PlainName(type);
        }

        return name;
    }

    private string Visit(ITypeSymbol type)
    {
        var name = NameOf(type);
        if (_types.ContainsKey(name))
        {
            return name;
        }

        // A placeholder breaks cycles (a record that holds a list of itself).
        _types[name] = new JsonTypeModel(name, JsonTypeKind.Value);
        _types[name] = Describe(type, name);
        return name;
    }

    private JsonTypeModel Describe(ITypeSymbol type, string name)
    {
        if (s_valueConverters.TryGetValue(name, out var converter))
        {
            return new JsonTypeModel(name, JsonTypeKind.Value) { Factory = converter, IsValueType = type.IsValueType };
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return new JsonTypeModel(name, JsonTypeKind.Enum) { IsValueType = true };
        }

        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            return new JsonTypeModel(name, JsonTypeKind.Nullable) { ElementType = Visit(nullable.TypeArguments[0]), IsValueType = true };
        }

        if (type is IArrayTypeSymbol array)
        {
            return array.IsSZArray
                ? new JsonTypeModel(name, JsonTypeKind.Array) { ElementType = Visit(array.ElementType) }
                : Unsupported(name, "multi-dimensional arrays have no JSON form; use an array of arrays");
        }

        if (type is not INamedTypeSymbol named)
        {
            return Unsupported(name, "it is not a named type");
        }

        if (!compilation.IsSymbolAccessibleWithin(named, compilation.Assembly))
        {
            return Unsupported(name, "it is not accessible from this assembly");
        }

        if (named.IsTupleType)
        {
            return Unsupported(name, "a value tuple's elements are fields, which System.Text.Json does not serialize; use a record");
        }

        if (named.IsGenericType)
        {
            var definition = Names.Display(named.OriginalDefinition, Names.Plain);
            if (s_collections.TryGetValue(definition, out var collection))
            {
                return new JsonTypeModel(name, JsonTypeKind.Collection)
                {
                    Factory = collection.Factory,
                    ElementType = Visit(named.TypeArguments[0]),
                    CollectionCreator = collection.Creatable ? name : null,
                };
            }

            if (s_dictionaries.TryGetValue(definition, out var dictionary))
            {
                var key = named.TypeArguments[0];
                if (!IsDictionaryKey(key))
                {
                    return Unsupported(name, "dictionary keys must be strings, numbers, Guids or enums");
                }

                return new JsonTypeModel(name, JsonTypeKind.Dictionary)
                {
                    Factory = dictionary.Factory,
                    KeyType = Visit(key),
                    ElementType = Visit(named.TypeArguments[1]),
                    CollectionCreator = dictionary.Creatable ? name : null,
                };
            }
        }

        return DescribeObject(named, name);
    }

    private static bool IsDictionaryKey(ITypeSymbol key)
        => key.TypeKind == TypeKind.Enum
           || key.SpecialType is SpecialType.System_String or SpecialType.System_Int16 or SpecialType.System_Int32
               or SpecialType.System_Int64 or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64
           || Names.Is(key, "System.Guid");

    private JsonTypeModel DescribeObject(INamedTypeSymbol type, string name)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.IsAbstract || type.IsStatic || type.IsRefLikeType)
        {
            return Unsupported(name, "only concrete classes, structs and records are described (interfaces, abstract and polymorphic types need a JsonSerializerContext)");
        }

        if (type.SpecialType == SpecialType.System_Object || type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
        {
            return Unsupported(name, "object and collection types other than arrays, List, HashSet, Dictionary and their interfaces are not described");
        }

        var constructor = ChooseConstructor(type);
        if (constructor is null)
        {
            return Unsupported(name, "it has no public constructor to deserialize with (mark one with [JsonConstructor])");
        }

        var properties = new List<JsonPropertyModel>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var current = type; current is { SpecialType: not (SpecialType.System_Object or SpecialType.System_ValueType) }; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is not IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public } property
                    || property.GetMethod is not { DeclaredAccessibility: Accessibility.Public }
                    || !seen.Add(property.Name))
                {
                    continue;
                }

                var ignore = IgnoreCondition(property);
                if (ignore == "Always")
                {
                    continue;
                }

                var setter = property.SetMethod is { DeclaredAccessibility: Accessibility.Public } set
                    ? (set.IsInitOnly || property.IsRequired ? SetterKind.Initializer : SetterKind.Setter)
                    : SetterKind.None;
                _path.Add($"{type.Name}.{property.Name}");
                var propertyType = Visit(property.Type);
                _path.RemoveAt(_path.Count - 1);
                properties.Add(new JsonPropertyModel(property.Name, Names.Display(property.Type, Names.Annotated), propertyType, setter)
                {
                    DeclaringType = NameOf(current),
                    IsNullable = IsNullable(property.Type),
                    IsRequired = property.IsRequired || property.GetAttributes().Any(a => Names.Is(a.AttributeClass, JsonRequired)),
                    JsonName = StringArgument(property, JsonPropertyName),
                    IgnoreCondition = ignore,
                });
            }
        }

        var parameters = new List<JsonParameterModel>();
        foreach (var parameter in constructor.Parameters)
        {
            var index = properties.FindIndex(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                return Unsupported(name, $"constructor parameter '{parameter.Name}' has no public property of the same name");
            }

            properties[index] = properties[index] with { Setter = SetterKind.Constructor };
            parameters.Add(new JsonParameterModel(parameter.Name, Names.Display(parameter.Type, Names.Annotated), NameOf(parameter.Type), false, IsNullable(parameter.Type))
            {
                DefaultValue = parameter.HasExplicitDefaultValue ? DefaultValue(parameter) : null,
            });
        }

        foreach (var property in properties.Where(p => p.Setter == SetterKind.Initializer))
        {
            parameters.Add(new JsonParameterModel(property.Name, property.Type, property.TypeOf, true, property.IsNullable));
        }

        return new JsonTypeModel(name, JsonTypeKind.Object)
        {
            IsValueType = type.IsValueType,
            Properties = properties.ToEquatableArray(),
            ConstructorParameters = parameters.ToEquatableArray(),
            UsesParameterizedConstructor = parameters.Count > 0,
        };
    }

    private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type)
    {
        var candidates = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        var marked = candidates.FirstOrDefault(c => c.GetAttributes().Any(a => Names.Is(a.AttributeClass, JsonConstructor)));
        if (marked is not null)
        {
            return marked;
        }

        if (type.IsValueType)
        {
            // A struct always has a parameterless constructor; a positional record struct means its primary one.
            var declared = candidates.Where(c => !c.IsImplicitlyDeclared && c.Parameters.Length > 0).ToList();
            return declared.Count == 1 && !candidates.Any(c => !c.IsImplicitlyDeclared && c.Parameters.Length == 0)
                ? declared[0]
                : candidates.FirstOrDefault(c => c.Parameters.Length == 0);
        }

        return candidates.FirstOrDefault(c => c.Parameters.Length == 0) ?? (candidates.Count == 1 ? candidates[0] : null);
    }

    private static string? IgnoreCondition(IPropertySymbol property)
    {
        var attribute = property.GetAttributes().FirstOrDefault(a => Names.Is(a.AttributeClass, JsonIgnore));
        if (attribute is null)
        {
            return null;
        }

        var condition = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Condition").Value;
        return condition.Value is int value
            ? value switch { 1 => "Always", 2 => "WhenWritingDefault", 3 => "WhenWritingNull", 4 => "WhenWriting", 5 => "WhenReading", _ => null }
            : "Always";
    }

    private static string? StringArgument(ISymbol symbol, string attributeName)
        => symbol.GetAttributes().FirstOrDefault(a => Names.Is(a.AttributeClass, attributeName)) is { ConstructorArguments.Length: > 0 } attribute
            ? attribute.ConstructorArguments[0].Value as string
            : null;

    private static bool IsNullable(ITypeSymbol type)
        => type.IsValueType
            ? type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T
            : type.NullableAnnotation != NullableAnnotation.NotAnnotated;

    private static string DefaultValue(IParameterSymbol parameter)
    {
        var value = parameter.ExplicitDefaultValue;
        if (value is null)
        {
            return parameter.Type.IsValueType && parameter.Type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T
                ? $"default({Names.Display(parameter.Type, Names.Plain)})"
                : "null";
        }

        // The cast keeps the boxed value of the parameter's type (a byte parameter's 5 is not an int).
        return $"({Names.Display(parameter.Type, Names.Annotated)})({Names.Constant(parameter.Type, value)})";
    }

    /// <summary>An unsupported type, with the properties through which the contract member reaches it.</summary>
    private JsonTypeModel Unsupported(string name, string reason)
        => new(name, JsonTypeKind.Unsupported)
        {
            Reason = _path.Count == 0 ? reason : $"{reason} (reached through {string.Join(" → ", _path)})",
            UsedBy = _usedBy,
            Location = _location,
        };
}
