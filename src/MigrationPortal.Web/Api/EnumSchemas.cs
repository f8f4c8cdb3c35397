using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace MigrationPortal.Web.Api;

/// <summary>
/// Enums as the API really reads and writes them (see <see cref="ApiInput"/>): a string, one of the member names.
/// The document generator cannot see through the API's own enum converter and left every enum schema empty ("{}"), so a
/// generated client had no type to send or read. Numbers naming a member are accepted too; the description says so rather
/// than the schema, so that clients are generated with the names (what the API answers with) and nothing else.
/// </summary>
public static class EnumSchemas
{
    public const string NumbersAccepted = "Sent and answered as one of the names. On input, the number of a member (its position, from 0) is accepted too.";

    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        var underlying = Nullable.GetUnderlyingType(type);
        var enumType = underlying ?? type;
        if (!enumType.IsEnum) return Task.CompletedTask;

        // A nullable enum ("RequestState?" as an optional property) also takes null.
        var nullable = underlying is not null || (schema.Type is { } declared && declared.HasFlag(JsonSchemaType.Null));
        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        schema.Enum = [.. Enum.GetNames(enumType).Select(n => (JsonNode)JsonValue.Create(n))];
        schema.Pattern = null;
        schema.Format = null;
        schema.Description ??= NumbersAccepted;
        return Task.CompletedTask;
    }

    /// <summary>
    /// The generator writes a property with a default value ("scheduleMode", default AsSoonAsApproved) or a nullable enum
    /// inline, as a copy of the enum; a client generator would then make one more enum type per property
    /// ("SubmitRequestCommandScheduleMode"). Each copy becomes a reference to the enum's own schema, keeping its default,
    /// and "null or the enum" for a nullable one (the shape the generator uses for other nullable references).
    /// </summary>
    public static Task ReferenceInlineCopiesAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        var components = document.Components?.Schemas;
        if (components is null) return Task.CompletedTask;
        var enums = components.Where(c => c.Value is OpenApiSchema { Enum.Count: > 0 }).Select(c => (Id: c.Key, Names: Names(c.Value))).ToList();

        IOpenApiSchema Fix(IOpenApiSchema schema)
        {
            if (schema is not OpenApiSchema inline) return schema;
            if (inline.Enum is { Count: > 0 } && enums.Where(e => e.Names.SequenceEqual(Names(inline))).ToList() is [var match])
            {
                var nullable = inline.Type is { } type && type.HasFlag(JsonSchemaType.Null);
                var reference = new OpenApiSchemaReference(match.Id, document);
                if (!nullable)
                {
                    if (inline.Default is not null) reference.Default = inline.Default;
                    return reference;
                }

                return new OpenApiSchema { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, reference], Default = inline.Default };
            }

            if (inline.Properties is { } properties)
                foreach (var name in properties.Keys.ToList()) properties[name] = Fix(properties[name]);
            if (inline.Items is { } items) inline.Items = Fix(items);
            if (inline.AdditionalProperties is { } values) inline.AdditionalProperties = Fix(values);
            foreach (var list in new[] { inline.OneOf, inline.AnyOf, inline.AllOf })
                for (var i = 0; list is not null && i < list.Count; i++) list[i] = Fix(list[i]);
            return inline;
        }

        foreach (var schema in components.Values) Fix(schema);
        foreach (var operation in document.Paths.Values.SelectMany(p => (IEnumerable<OpenApiOperation>?)p.Operations?.Values ?? []))
        {
            foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
                if (parameter.Schema is { } schema) parameter.Schema = Fix(schema);
            var contents = ((IEnumerable<OpenApiMediaType>?)operation.RequestBody?.Content?.Values ?? []).Concat(((IEnumerable<IOpenApiResponse>?)operation.Responses?.Values ?? []).SelectMany(r => (IEnumerable<OpenApiMediaType>?)r.Content?.Values ?? []));
            foreach (var content in contents.OfType<OpenApiMediaType>())
                if (content.Schema is { } schema) content.Schema = Fix(schema);
        }

        return Task.CompletedTask;
    }

    private static List<string?> Names(IOpenApiSchema schema) => schema.Enum?.Select(v => v?.GetValue<string>()).ToList() ?? [];
}
