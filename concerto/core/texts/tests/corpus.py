# ruff: noqa: E501 - one text per line reads better
"""A made-up French corpus with three clear subjects (cycling, trees and gardens, litter), as residents write."""

CYCLING = [
    "Des pistes cyclables sécurisées. Sur l'avenue, les vélos roulent au milieu des voitures : une piste cyclable protégée rassurerait les cyclistes.",
    "Plus d'arceaux pour garer son vélo. Devant la gare, impossible de garer un vélo : ajoutons des arceaux et un abri pour les cyclistes.",
    "Une piste cyclable jusqu'au lycée. Les élèves iraient au lycée à vélo si une piste cyclable continue reliait les quartiers.",
    "Un atelier de réparation de vélos. Un atelier où les cyclistes apprennent à réparer leur vélo, avec des bénévoles.",
    "Vélos en libre-service. Des stations de vélos en libre-service dans chaque quartier, pour circuler à vélo sans en posséder un.",
    "Sécuriser les carrefours pour les cyclistes. Aux carrefours, les cyclistes risquent leur vie : des sas vélo et des feux dédiés.",
    "Relier les pistes cyclables. Les pistes cyclables s'arrêtent à la limite de la commune : relions-les pour traverser à vélo.",
    "Un parking à vélos couvert. Un parking vélo couvert et sécurisé près du marché, pour laisser son vélo sans crainte.",
    "Apprendre le vélo à l'école. Des cours de vélo pour les enfants, sur une piste cyclable d'apprentissage dans la cour.",
    "Des double-sens cyclables. Ouvrir les rues à sens unique aux cyclistes avec des double-sens cyclables bien marqués.",
    "Une voie verte pour les vélos. Le long du canal, une voie verte réservée aux vélos et aux piétons, sans voitures.",
    "Entretenir les pistes cyclables. Les pistes cyclables sont pleines de trous et de feuilles : les cyclistes tombent.",
]
TREES = [
    "Planter des arbres dans la cour de l'école. La cour est brûlante l'été : des arbres donneraient de l'ombre aux enfants.",
    "Un jardin partagé avec des arbres fruitiers. Un jardin partagé où les habitants cultivent des légumes sous des arbres fruitiers.",
    "Végétaliser la place de la mairie. Remplacer le bitume de la place par des arbres, des massifs de fleurs et de la pelouse.",
    "Des arbres le long de l'avenue. Un alignement d'arbres sur l'avenue apporterait de l'ombre et de la fraîcheur en été.",
    "Un verger ouvert aux habitants. Planter un verger de pommiers et de poiriers, avec un jardin où chacun peut cueillir.",
    "Des fleurs et des haies dans le parc. Planter des haies et semer des fleurs pour les abeilles et les oiseaux du parc.",
    "Un potager sur le toit de la médiathèque. Un jardin potager sur le toit, avec des bacs de légumes et de fleurs.",
    "Désimperméabiliser les cours d'école. Enlever le bitume des cours d'école pour planter des arbres et de la pelouse.",
    "Protéger les vieux arbres. Les vieux arbres du parc sont abîmés : les protéger et planter de jeunes arbres à côté.",
    "Une forêt urbaine. Planter une mini-forêt d'arbres serrés sur le terrain vague, pour la fraîcheur et les oiseaux.",
    "Des jardinières dans les rues. Des jardinières de fleurs et de plantes au pied des immeubles, entretenues par les habitants.",
    "Un jardin pédagogique. Un jardin où les enfants apprennent à planter des légumes, des fleurs et des arbres.",
]
LITTER = [
    "Plus de poubelles dans le centre. Les rues du centre manquent de poubelles : les déchets finissent sur les trottoirs.",
    "Ramasser les déchets au bord du canal. Des déchets et des sacs plastique s'accumulent au bord du canal : un ramassage régulier.",
    "Des poubelles de tri sur le marché. Après le marché, les déchets traînent : des poubelles de tri et un nettoyage rapide.",
    "Sanctionner les dépôts sauvages. Les dépôts sauvages de déchets et d'encombrants se multiplient sur les trottoirs.",
    "Nettoyer les trottoirs chaque semaine. Les trottoirs sont sales : un nettoyage chaque semaine et des poubelles vidées.",
    "Des cendriers contre les mégots. Les mégots salissent les trottoirs : des cendriers de rue à côté des poubelles.",
    "Collecte des encombrants plus fréquente. Les encombrants restent des semaines sur les trottoirs : une collecte chaque mois.",
    "Des composteurs pour les déchets de cuisine. Des composteurs collectifs dans chaque quartier pour réduire les déchets des poubelles.",
    "Effacer les tags et nettoyer les murs. Les murs sont couverts de tags et les trottoirs de déchets : un nettoyage du quartier.",
    "Vider les poubelles le week-end. Le dimanche, les poubelles débordent et les déchets s'envolent dans les rues.",
    "Une journée de ramassage des déchets. Une journée citoyenne pour ramasser les déchets dans les rues et au parc.",
    "Des toilettes et des poubelles au parc. Le parc est sale le soir : plus de poubelles et un nettoyage le matin.",
]
SUBJECTS = (CYCLING, TREES, LITTER)
