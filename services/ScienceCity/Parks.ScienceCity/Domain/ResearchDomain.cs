namespace Parks.ScienceCity.Domain;

/// <summary>
/// The Science City's "1+X" research direction: "1" is clean energy (洁净能源, 000:98, 000:152; 清洁能源 at
/// 001:57); "X" is intelligent manufacturing, life and health, ocean engineering (000:98, 001:57) and
/// next-generation IT (named only at 000:152).
/// </summary>
internal enum ResearchDomain
{
    CleanEnergy = 1,
    IntelligentManufacturing = 2,
    LifeHealth = 3,
    OceanEngineering = 4,
    NextGenerationIt = 5,
}
