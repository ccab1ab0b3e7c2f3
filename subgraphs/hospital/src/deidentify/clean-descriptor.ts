/**
 * The "C" action (Clean Descriptors Option, PS3.15 E.3.5) for free-text descriptors such as
 * StudyDescription or ProtocolName: keep only words from a radiography vocabulary, so "CHEST PA
 * Dr Smith ward 7" becomes "CHEST PA". A name, an id, a date or a place is never in the vocabulary,
 * so it cannot survive; a descriptor with no known word is removed.
 */
const VOCABULARY = new Set(
  `
  CHEST THORAX THORACIC LUNG LUNGS HEART CARDIAC RIB RIBS STERNUM CLAVICLE SHOULDER SPINE ABDOMEN ABD KUB PELVIS NECK
  PA AP LAT LATERAL LL RL LLAT RLAT OBLIQUE OBL LORDOTIC DECUBITUS DECUB FRONTAL FRONT VIEW VIEWS 1V 2V 3V
  ERECT UPRIGHT SUPINE PRONE SEMI SEMIERECT SITTING STANDING PORTABLE PORT MOBILE BEDSIDE TABLE BUCKY GRID
  XRAY XR RX DX CR RAD RADIOGRAPH RADIOGRAPHY RADIOGRAPHIC DIGITAL IMAGE IMAGES SERIES STUDY EXAM EXAMINATION
  ROUTINE STANDARD DEFAULT PROTOCOL PROCESSED PROCESSING FOR PRESENTATION ORIGINAL PRIMARY SECONDARY DERIVED
  INSPIRATION EXPIRATION INSP EXP FULL SINGLE ONE TWO AND WITH WITHOUT W WO OF
  LEFT RIGHT BILATERAL BOTH L R
  ADULT PEDIATRIC PAEDIATRIC PED PEDS CHILD INFANT NEONATAL NEONATE NICU ICU
  PRE POST FOLLOW UP FU CONTROL INITIAL REPEAT
  SOFT TISSUE BONE LOW HIGH DOSE KV MAS
  PNEUMONIA INFILTRATE CONSOLIDATION EFFUSION
  `
    .trim()
    .split(/\s+/),
);

/** The known words of `value`, upper-case, in order; null when none is left. */
export function cleanDescriptor(value: string): string | null {
  const words = value
    .toUpperCase()
    .replace(/X-RAY/g, 'XRAY')
    .split(/[^A-Z0-9]+/)
    .filter((word) => VOCABULARY.has(word));
  return words.length ? words.join(' ') : null;
}
