using Microsoft.Extensions.DependencyInjection;

namespace MigrationPortal.Application.Mappings;

public static class MappingsRegistration
{
    /// <summary>The conversion-map use cases, registered like every other use case (scoped, no mediator).</summary>
    public static IServiceCollection AddConversionMapUseCases(this IServiceCollection services) => services
        .AddScoped<ListConversionMaps>()
        .AddScoped<ListMapChoices>()
        .AddScoped<SaveNetworkMap>()
        .AddScoped<SaveStorageMap>()
        .AddScoped<DeleteConversionMap>();
}
