using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators.Analyzers;

/// <summary>One named argument of an attribute (Version = "1.0"), with where it was written.</summary>
internal readonly struct AttributeArgument
{
    private AttributeArgument(bool isSet, string? value, Location location)
    {
        IsSet = isSet;
        Value = value;
        Location = location;
    }

    public bool IsSet { get; }
    public string? Value { get; }

    /// <summary>The argument's value expression; the attribute, or the symbol, when that cannot be found.</summary>
    public Location Location { get; }

    public static AttributeArgument Get(AttributeData attribute, string name, Location fallback, CancellationToken cancellationToken)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key != name)
                continue;
            var value = argument.Value.Kind == TypedConstantKind.Primitive ? argument.Value.Value as string : null;
            return new AttributeArgument(true, value, Find(attribute, name, fallback, cancellationToken));
        }
        return new AttributeArgument(false, null, fallback);
    }

    private static Location Find(AttributeData attribute, string name, Location fallback, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
            return fallback;
        if (syntax.ArgumentList is { } list)
        {
            foreach (var argument in list.Arguments)
            {
                if (argument.NameEquals?.Name.Identifier.ValueText == name)
                    return argument.Expression.GetLocation();
            }
        }
        return syntax.GetLocation();
    }
}
