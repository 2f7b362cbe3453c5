/**
 * Profile columns of a customer with nothing known yet: the base a new record or a test row
 * starts from. A function, so every caller gets its own tags array and attributes object.
 */
export function blankProfileColumns() {
  return {
    name: null,
    name_pinyin: null,
    name_initials: null,
    gender: 'unknown' as string,
    birth_year: null,
    birth_month: null,
    birth_day: null,
    birthday_enc: null,
    phone_enc: null,
    phone_bidx: null,
    phone_tail_bidx: null,
    email_enc: null,
    email_bidx: null,
    address_enc: null,
    province: null,
    city: null,
    district: null,
    postcode: null,
    clothing_size: null,
    shoe_size: null,
    preferred_store_id: null,
    store_id: null,
    registered_by: null,
    tags: [] as string[],
    attributes: {} as Record<string, unknown>,
  };
}
