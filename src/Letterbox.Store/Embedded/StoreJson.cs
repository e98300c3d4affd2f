using System.Text.Json.Serialization;

namespace Letterbox.Store.Embedded;

/// <summary>Source-generated JSON for the envelope and structure kept with each stored message.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    IgnoreReadOnlyProperties = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(MessageEnvelope))]
[JsonSerializable(typeof(MimePartInfo))]
internal sealed partial class StoreJson : JsonSerializerContext;
