/**
 * Traditional → Simplified pairs for the characters customer-service messages use most
 * (money, accounts, verbs of complaint, common function words). Not a full conversion table:
 * it exists so that "轉賬失敗" and "转账失败" produce the same features, and so the language
 * detector can tell the two scripts apart.
 *
 * Each entry is two characters: Traditional first, Simplified second.
 */
const PAIRS = `
萬万 與与 專专 業业 東东 兩两 嚴严 個个 豐丰 臨临 為为 麗丽 舉举 義义 樂乐 習习 鄉乡 書书 買买
亂乱 爭争 於于 虧亏 雲云 亞亚 產产 親亲 億亿 僅仅 從从 倉仓 們们 價价 眾众 優优 夥伙 會会 偉伟
傳传 傷伤 偽伪 體体 餘余 傭佣 債债 傾倾 僱雇 兒儿 兌兑 黨党 關关 興兴 養养 內内 冊册 寫写 軍军
農农 衝冲 決决 況况 凍冻 淨净 減减 幾几 憑凭 擊击 劃划 則则 剛刚 創创 刪删 別别 劑剂 劇剧 勸劝
辦办 務务 動动 勵励 勞劳 勢势 華华 協协 單单 賣卖 衛卫 卻却 廠厂 廳厅 曆历 歷历 厲厉 壓压 厭厌
縣县 參参 雙双 發发 變变 臺台 葉叶 號号 嚇吓 嗎吗 啟启 員员 聽听 響响 喪丧 喚唤 團团 園园 圍围
圖图 圓圆 場场 壞坏 塊块 堅坚 執执 報报 墊垫 處处 備备 夠够 頭头 奪夺 獎奖 婦妇 媽妈 孫孙 學学
寧宁 寶宝 實实 審审 寬宽 賓宾 對对 尋寻 導导 將将 爾尔 嘗尝 層层 屬属 歲岁 島岛 幣币 師师 帳帐
帶带 幫帮 幹干 庫库 廣广 慶庆 應应 廢废 開开 異异 棄弃 張张 彎弯 歸归 當当 錄录 彙汇 匯汇 徹彻
後后 復复 憶忆 懷怀 態态 總总 懇恳 惡恶 悶闷 惱恼 愛爱 慣惯 憂忧 懶懒 戲戏 戰战 戶户 擴扩 掃扫
揚扬 擾扰 搶抢 護护 擔担 擬拟 擁拥 攔拦 撥拨 擇择 掛挂 擋挡 揮挥 損损 換换 據据 擠挤 攜携 擺摆
搖摇 數数 敵敌 斷断 時时 顯显 暫暂 曉晓 條条 來来 極极 構构 標标 樣样 檢检 樹树 橋桥 機机 權权
歡欢 歐欧 殘残 殺杀 氣气 漢汉 溝沟 沒没 淚泪 澤泽 潔洁 濃浓 測测 濟济 滿满 濕湿 溫温 滅灭 燈灯
靈灵 災灾 點点 爛烂 熱热 煩烦 燒烧 營营 爺爷 獨独 貓猫 環环 現现 電电 畫画 療疗 瘋疯 盡尽 監监
盤盘 確确 碼码 礙碍 禮礼 禍祸 離离 種种 積积 稱称 穩稳 窮穷 竊窃 競竞 筆笔 簡简 籤签 簽签 類类
緊紧 紅红 約约 級级 紀纪 純纯 紙纸 納纳 線线 練练 組组 細细 終终 絕绝 結结 給给 統统 經经 綁绑
綠绿 維维 網网 續续 編编 緣缘 縮缩 績绩 繳缴 繼继 罰罚 羅罗 聯联 聰聪 聲声 職职 膚肤 腦脑 腳脚
臉脸 藝艺 節节 範范 藥药 莊庄 蓋盖 虛虚 補补 裝装 覺觉 覽览 觀观 規规 視视 計计 訂订 認认 討讨
讓让 訓训 議议 記记 講讲 許许 論论 設设 訪访 證证 評评 識识 詐诈 訴诉 詞词 試试 誠诚 話话 該该
詳详 語语 誤误 說说 請请 讀读 課课 誰谁 調调 談谈 謝谢 謊谎 貝贝 負负 財财 貨货 質质 貪贪 責责
費费 貼贴 貴贵 貸贷 貿贸 資资 賠赔 賬账 賴赖 賺赚 購购 贈赠 贊赞 趕赶 車车 軟软 較较 輕轻 載载
輸输 轉转 辭辞 邊边 達达 遷迁 過过 還还 這这 進进 遠远 運运 違违 連连 遲迟 適适 選选 遞递 郵邮
鄰邻 醫医 釋释 裡里 裏里 針针 鈔钞 銀银 銷销 鋪铺 鏈链 錯错 錢钱 錶表 鍵键 鎖锁 鐘钟 鐵铁 長长
門门 閃闪 閉闭 問问 閒闲 間间 閱阅 陣阵 陽阳 陰阴 險险 隊队 階阶 際际 隨随 隱隐 難难 靜静 韓韩
頁页 項项 順顺 須须 預预 領领 頻频 額额 題题 願愿 顧顾 風风 飛飞 飯饭 館馆 馬马 駕驾 驗验 騙骗
驚惊 髮发 鬥斗 鬧闹 魚鱼 鮮鲜 鳥鸟 麥麦 黃黄 齊齐 龍龙 號号 兇凶 凈净 註注 鬱郁 喫吃 週周
餵喂 裏里 衊蔑 櫃柜 儲储 匯汇 戶户 帳账 賬账 詢询 鎖锁 憑凭 紹绍 託托 準准 臺台 吳吴 蘋苹
盜盗 敗败 麼么 絡络 訊讯 遺遗 稅税 雜杂 並并 駭骇 釣钓 償偿 訂订 鬆松 濾滤 擾扰 盪荡 綫线 鑰钥
`;

/**
 * Variant spellings folded for features only: both scripts use them, so they say nothing about
 * which script a message is in (帐户 is a common Simplified spelling of 账户).
 */
export const VARIANT_FOLDS: ReadonlyMap<number, number> = new Map(
  ['帐账', '欵款', '麽么', '著着'].map((pair) => [pair.codePointAt(0)!, pair.codePointAt(1)!]),
);

/** Traditional code point → Simplified code point. */
export const TRADITIONAL_TO_SIMPLIFIED: ReadonlyMap<number, number> = buildMap();

/**
 * Simplified forms that are also ordinary characters in Traditional text (后 "queen", 里 "li",
 * 干 "shield", 台, 叶, 余, 表, 斗, 范, 系, 佣, 冲, 几, 准, 托, 注, 吃, 周...). They say nothing about which script
 * a message is written in, so the language detector ignores them.
 */
const SHARED_BY_BOTH_SCRIPTS = new Set([...'后里干台叶余表斗范系佣冲几准托注吃周凶郁喂蔑柜苹划伙价布丰云于弃']);

/** Characters that only appear in Traditional writing. */
export const TRADITIONAL_ONLY: ReadonlySet<number> = new Set(TRADITIONAL_TO_SIMPLIFIED.keys());

/** Characters that only appear in Simplified writing. */
export const SIMPLIFIED_ONLY: ReadonlySet<number> = new Set(
  [...TRADITIONAL_TO_SIMPLIFIED.values()].filter(
    (code) => !SHARED_BY_BOTH_SCRIPTS.has(String.fromCodePoint(code)) && !TRADITIONAL_TO_SIMPLIFIED.has(code),
  ),
);

function buildMap(): Map<number, number> {
  const map = new Map<number, number>();
  for (const pair of PAIRS.split(/\s+/)) {
    const [traditional, simplified] = [...pair];
    if (traditional === undefined || simplified === undefined || traditional === simplified) continue;
    map.set(traditional.codePointAt(0)!, simplified.codePointAt(0)!);
  }
  return map;
}
